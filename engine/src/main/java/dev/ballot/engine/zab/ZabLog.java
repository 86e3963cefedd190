package dev.ballot.engine.zab;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server's history in memory: an optional snapshot, then entries in ascending zxid order. The
 * durable copy is the caller's; this mirrors it (including entries not yet synced, which the next
 * Ready carries).
 */
final class ZabLog {
    private final Membership initial;
    private Snapshot snapshot;
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    /**
     * The CONFIG entries among {@link #entries}, by zxid: {@link #configAt} is asked on every commit, and scanning the
     * log back to its last CONFIG entry (usually none since the snapshot) cost the leader's driver a pass over every
     * entry per commit (a tenth of the leader's samples with 64 clients).
     */
    private final TreeMap<Long, LogEntry> configs = new TreeMap<>();
    /** The last configuration {@link #configAt} decoded, and the zxid of its entry: decoded once, not per call. */
    private long decodedZxid = -1;
    private Membership decoded;

    ZabLog(Membership initial, Snapshot snapshot, List<LogEntry> stored) {
        this.initial = initial;
        this.snapshot = snapshot;
        long floor = snapshotZxid();
        for (LogEntry e : stored) {
            if (e.index() > floor && (entries.isEmpty() || e.index() > lastZxid())) {
                add(e);
            }
        }
    }

    Snapshot snapshot() {
        return snapshot;
    }

    long snapshotZxid() {
        return snapshot == null ? 0 : snapshot.index();
    }

    long lastZxid() {
        return entries.isEmpty() ? snapshotZxid() : entries.get(entries.size() - 1).index();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }

    /** True when {@code zxid} is a point of this history: 0, the snapshot's zxid, or a logged entry. */
    boolean holds(long zxid) {
        return zxid == 0 || zxid == snapshotZxid() || position(zxid) >= 0;
    }

    LogEntry get(long zxid) {
        int pos = position(zxid);
        return pos >= 0 ? entries.get(pos) : null;
    }

    void append(LogEntry e) {
        if (e.index() <= lastZxid()) {
            throw new IllegalStateException("append out of order: " + Zxid.hex(e.index()) + " after " + Zxid.hex(lastZxid()));
        }
        add(e);
    }

    private void add(LogEntry e) {
        entries.add(e);
        if (e.type() == EntryType.CONFIG) {
            configs.put(e.index(), e);
        }
    }

    /** Drops every entry after {@code zxid}; returns how many were dropped. */
    int truncateAfter(long zxid) {
        int keep = entries.size();
        while (keep > 0 && entries.get(keep - 1).index() > zxid) {
            keep--;
        }
        int dropped = entries.size() - keep;
        entries.subList(keep, entries.size()).clear();
        configs.tailMap(zxid, false).clear();
        decodedZxid = -1; // an entry of that zxid may come again, from another leader
        return dropped;
    }

    /** Entries with {@code after < zxid <= upTo}, at most {@code max}; empty when {@code after} is compacted. */
    List<LogEntry> between(long after, long upTo, int max) {
        List<LogEntry> out = new ArrayList<>();
        int start = firstAfter(after);
        for (int i = start; i < entries.size() && out.size() < max; i++) {
            LogEntry e = entries.get(i);
            if (e.index() > upTo) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** True when some entry has {@code after < zxid <= upTo}. */
    boolean hasBetween(long after, long upTo) {
        int start = firstAfter(after);
        return start < entries.size() && entries.get(start).index() <= upTo;
    }

    long[] zxids() {
        long[] out = new long[entries.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = entries.get(i).index();
        }
        return out;
    }

    /** Replaces everything with a snapshot received from the leader. */
    void install(Snapshot s) {
        snapshot = s;
        entries.clear();
        configs.clear();
        decodedZxid = -1;
    }

    /** Keeps only entries after {@code zxid}, which the caller's snapshot now covers. */
    void compact(long zxid, byte[] data) {
        if (zxid <= snapshotZxid()) {
            return;
        }
        Membership config = configAt(zxid);
        LogEntry at = get(zxid);
        long term = at != null ? at.term() : Zxid.epoch(zxid);
        int drop = firstAfter(zxid);
        entries.subList(0, drop).clear();
        configs.headMap(zxid, true).clear();
        snapshot = new Snapshot(zxid, term, config, data);
    }

    /** The configuration in force at {@code zxid}: the last CONFIG entry at or before it. */
    Membership configAt(long zxid) {
        Map.Entry<Long, LogEntry> e = configs.floorEntry(zxid);
        if (e != null) {
            if (e.getKey() != decodedZxid) {
                decoded = decodeConfig(e.getValue());
                decodedZxid = e.getKey();
            }
            return decoded;
        }
        return snapshot != null && snapshot.membership() != null ? snapshot.membership() : initial;
    }

    Membership latestConfig() {
        return configAt(Long.MAX_VALUE);
    }

    /** The zxid of the last CONFIG entry (0 when the configuration comes from the snapshot or start). */
    long latestConfigZxid() {
        return configs.isEmpty() ? 0 : configs.lastKey();
    }

    /**
     * The version of {@link #latestConfig()}, as ZooKeeper's QuorumVerifier version: the zxid of the CONFIG entry that
     * put it in force; for a configuration taken from the snapshot, the snapshot's zxid (it was in force there, and
     * any later change has a higher zxid); 0 for the configuration a server started with.
     */
    long configVersion() {
        long entry = latestConfigZxid();
        if (entry != 0) {
            return entry;
        }
        return snapshot != null && snapshot.membership() != null ? snapshot.index() : 0;
    }

    static Membership decodeConfig(LogEntry e) {
        try {
            return MembershipCodec.decode(e.data());
        } catch (MalformedMessageException ex) {
            throw new IllegalStateException("corrupt configuration entry " + Zxid.hex(e.index()), ex);
        }
    }

    private int position(long zxid) {
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long v = entries.get(mid).index();
            if (v < zxid) {
                lo = mid + 1;
            } else if (v > zxid) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private int firstAfter(long zxid) {
        int lo = 0;
        int hi = entries.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).index() <= zxid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
