package dev.ballot.engine.sim;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A node's stable storage: what a Ready persisted survives a crash; nothing else does. */
final class SimDisk {
    HardState hardState = HardState.EMPTY;
    Snapshot snapshot;
    final TreeMap<Long, LogEntry> entries = new TreeMap<>();

    void persist(Ready r) {
        if (r.truncateFrom() != Ready.NO_TRUNCATION) {
            entries.tailMap(r.truncateFrom(), true).clear();
        }
        if (r.snapshot() != null) {
            snapshot = r.snapshot();
            entries.headMap(snapshot.index(), true).clear();
        }
        for (LogEntry e : r.entries()) {
            if (!entries.isEmpty() && e.index() <= entries.lastKey()) {
                throw new InvariantViolation("storage contract", "entry " + e.index()
                        + " written over stored entry " + entries.lastKey() + " without a truncation");
            }
            if (snapshot != null && e.index() <= snapshot.index()) {
                throw new InvariantViolation("storage contract", "entry " + e.index()
                        + " written inside the snapshot ending at " + snapshot.index());
            }
            entries.put(e.index(), e);
        }
        if (r.hardState() != null) {
            hardState = r.hardState();
        }
    }

    PersistedState persisted() {
        return new PersistedState(hardState, snapshot, List.copyOf(entries.values()));
    }

    long snapshotIndex() {
        return snapshot == null ? 0 : snapshot.index();
    }

    /** The configuration in force at {@code index} as far as this disk knows. */
    Membership membershipAt(long index, Membership initial) {
        for (Map.Entry<Long, LogEntry> e : entries.headMap(index, true).descendingMap().entrySet()) {
            if (e.getValue().type() == EntryType.CONFIG) {
                try {
                    return MembershipCodec.decode(e.getValue().data());
                } catch (MalformedMessageException ex) {
                    // skipped by the engine too; keep looking further back
                }
            }
        }
        return snapshot != null ? snapshot.membership() : initial;
    }

    /** Replace the prefix up to {@code index} by a snapshot taken by the state machine. */
    boolean compact(long index, byte[] data, Membership initial) {
        LogEntry at = entries.get(index);
        if (at == null) {
            return false;
        }
        snapshot = new Snapshot(index, at.term(), membershipAt(index, initial), data);
        entries.headMap(index, true).clear();
        return true;
    }
}
