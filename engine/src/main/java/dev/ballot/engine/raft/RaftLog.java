package dev.ballot.engine.raft;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory log: an optional snapshot, then contiguous entries. It also remembers what the caller has
 * persisted ({@code stableLast}) and which stored suffix must be deleted ({@code pendingTruncate}), so that
 * every Ready says exactly what to write.
 */
final class RaftLog {
    private Snapshot snapshot;
    private long snapIndex;
    private long snapTerm;
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    long committed;
    long applied;
    /** Highest index known to be on stable storage. */
    long stableLast;
    /** Highest index ever handed out in a Ready (it may be on disk even before advance). */
    long offeredLast;
    long pendingTruncate = Ready.NO_TRUNCATION;
    /** Bumped by every truncation, so advance can tell whether a Ready's truncation is still the latest. */
    long truncations;
    Snapshot pendingSnapshot;

    RaftLog(Snapshot snapshot, List<LogEntry> stored) {
        if (snapshot != null) {
            this.snapshot = snapshot;
            this.snapIndex = snapshot.index();
            this.snapTerm = snapshot.term();
        }
        for (LogEntry e : stored) {
            if (e.index() <= snapIndex) {
                continue;
            }
            if (e.index() != lastIndex() + 1) {
                throw new IllegalArgumentException("persisted entries must be contiguous after the snapshot: expected index "
                        + (lastIndex() + 1) + ", found " + e.index());
            }
            entries.add(e);
        }
        applied = snapIndex;
        committed = snapIndex;
        stableLast = lastIndex();
        offeredLast = stableLast;
    }

    long snapshotIndex() {
        return snapIndex;
    }

    long snapshotTerm() {
        return snapTerm;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    long firstIndex() {
        return snapIndex + 1;
    }

    long lastIndex() {
        return snapIndex + entries.size();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** The term at {@code index}, or -1 when it is compacted away or beyond the end. */
    long term(long index) {
        if (index == snapIndex) {
            return snapTerm;
        }
        if (index < snapIndex || index > lastIndex()) {
            return -1;
        }
        return entries.get((int) (index - snapIndex - 1)).term();
    }

    LogEntry entry(long index) {
        return entries.get((int) (index - snapIndex - 1));
    }

    boolean matchTerm(long index, long term) {
        return term(index) == term;
    }

    boolean isUpToDate(long lastIndex, long lastTerm) {
        long myTerm = lastTerm();
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
    }

    /** Entries in [lo, hi), which must all be present. */
    List<LogEntry> slice(long lo, long hi) {
        if (lo >= hi) {
            return List.of();
        }
        return List.copyOf(entries.subList((int) (lo - snapIndex - 1), (int) (hi - snapIndex - 1)));
    }

    void append(LogEntry entry) {
        if (entry.index() != lastIndex() + 1) {
            throw new IllegalStateException("append at " + entry.index() + " after last " + lastIndex());
        }
        entries.add(entry);
    }

    /** The first entry whose term differs from ours (a conflict, or simply new); 0 when all are present. */
    long findConflict(List<LogEntry> incoming) {
        for (LogEntry e : incoming) {
            if (!matchTerm(e.index(), e.term())) {
                return e.index();
            }
        }
        return 0;
    }

    /** The largest index at or below {@code index} whose term is at most {@code term}; lets a leader skip a divergent term. */
    long findConflictByTerm(long index, long term) {
        long i = Math.min(index, lastIndex());
        while (i > snapIndex) {
            if (term(i) <= term) {
                return i;
            }
            i--;
        }
        return i;
    }

    /** Deletes every entry at or after {@code from}; records that storage must do the same. */
    void truncateFrom(long from) {
        if (from <= snapIndex) {
            throw new IllegalStateException("cannot truncate at " + from + " inside the snapshot ending at " + snapIndex);
        }
        if (from > lastIndex()) {
            return;
        }
        while (lastIndex() >= from) {
            entries.remove(entries.size() - 1);
        }
        if (from <= Math.max(stableLast, offeredLast)) {
            pendingTruncate = pendingTruncate == Ready.NO_TRUNCATION ? from : Math.min(pendingTruncate, from);
        }
        stableLast = Math.min(stableLast, from - 1);
        truncations++;
    }

    void commitTo(long index) {
        if (index > committed) {
            committed = Math.min(index, lastIndex());
        }
    }

    List<LogEntry> unstableEntries() {
        return slice(stableLast + 1, lastIndex() + 1);
    }

    boolean hasUnappliedCommitted() {
        return committed > Math.max(applied, snapIndex);
    }

    List<LogEntry> committedToApply() {
        long from = Math.max(applied, snapIndex) + 1;
        return slice(from, Math.min(committed, lastIndex()) + 1);
    }

    /** Replace the whole log by a snapshot received from the leader. */
    void restore(Snapshot received) {
        entries.clear();
        snapshot = received;
        snapIndex = received.index();
        snapTerm = received.term();
        committed = snapIndex;
        pendingSnapshot = received;
        // Everything stored before belongs to a log we no longer trust.
        pendingTruncate = 1;
        stableLast = snapIndex;
        offeredLast = snapIndex;
        truncations++;
    }

    /** Drop entries up to {@code index} (already applied) behind a snapshot the caller took. */
    void compact(Snapshot taken) {
        long index = taken.index();
        int drop = (int) (index - snapIndex);
        entries.subList(0, drop).clear();
        snapshot = taken;
        snapIndex = index;
        snapTerm = taken.term();
    }
}
