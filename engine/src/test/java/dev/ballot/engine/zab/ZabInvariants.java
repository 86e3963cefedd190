package dev.ballot.engine.zab;

import dev.ballot.engine.LogEntry;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * ZAB's safety properties as Zab.tla names them, checked on what a run's servers actually do:
 * <ul>
 *   <li><b>Leadership</b>: at most one established leader per epoch;</li>
 *   <li><b>Integrity</b>: a server delivers only transactions some leader proposed, unchanged;</li>
 *   <li><b>Agreement</b> and <b>TotalOrder</b>: every server delivers the same sequence, each a prefix
 *       of one global sequence (no server skips a transaction another delivered before a later one);</li>
 *   <li><b>PrimaryOrder</b> (local and global): within the global sequence zxids only increase, so a
 *       leader's transactions keep their order and an earlier epoch's come before a later one's.</li>
 * </ul>
 * A violation throws {@link Violation} naming the property; the caller prints what replays it.
 */
final class ZabInvariants {
    /** A broken safety property. */
    public static final class Violation extends RuntimeException {
        private final String property;

        public Violation(String property, String detail) {
            super(property + ": " + detail);
            this.property = property;
        }

        public String property() {
            return property;
        }
    }

    private final Map<Long, Long> leaderOfEpoch = new HashMap<>();
    private final Map<Long, LogEntry> proposed = new HashMap<>();
    private final TreeMap<Long, LogEntry> delivered = new TreeMap<>();
    private final Map<Long, Long> lastDelivered = new HashMap<>();

    /** Call after every event with each live server's state. */
    public void observeLeader(long server, boolean establishedLeader, long epoch) {
        if (!establishedLeader) {
            return;
        }
        Long other = leaderOfEpoch.putIfAbsent(epoch, server);
        if (other != null && other != server) {
            throw new Violation("Leadership", "servers " + other + " and " + server + " both established leaders of epoch " + epoch);
        }
    }

    /** A leader logged a new proposal. */
    public void proposed(LogEntry e) {
        LogEntry before = proposed.putIfAbsent(e.index(), e);
        if (before != null && !before.equals(e)) {
            throw new Violation("PrimaryIntegrity", "zxid " + Zxid.hex(e.index()) + " proposed twice with different contents");
        }
    }

    /** A server (re)started: it delivers again from its snapshot (0 when none). */
    public void restarted(long server, long snapshotZxid) {
        lastDelivered.put(server, snapshotZxid);
    }

    /** A server installed a snapshot from its leader; it goes on delivering after {@code zxid}. */
    public void installedSnapshot(long server, long zxid) {
        if (zxid != 0 && !delivered.containsKey(zxid)) {
            throw new Violation("Agreement", "server " + server + " installed a snapshot at " + Zxid.hex(zxid)
                    + " which no server delivered");
        }
        lastDelivered.put(server, zxid);
    }

    /** A server applied (delivered) a committed transaction. */
    public void delivered(long server, LogEntry e) {
        long z = e.index();
        LogEntry origin = proposed.get(z);
        if (origin == null || !origin.equals(e)) {
            throw new Violation("Integrity", "server " + server + " delivered " + e + " that no leader proposed as such");
        }
        long prev = lastDelivered.getOrDefault(server, 0L);
        if (z <= prev) {
            throw new Violation("LocalPrimaryOrder", "server " + server + " delivered " + Zxid.hex(z) + " after " + Zxid.hex(prev));
        }
        LogEntry known = delivered.get(z);
        if (known != null) {
            if (!known.equals(e)) {
                throw new Violation("Agreement", "server " + server + " delivered " + e + " where others delivered " + known);
            }
            Long skipped = delivered.higherKey(prev);
            if (skipped != null && skipped != z) {
                throw new Violation("TotalOrder", "server " + server + " delivered " + Zxid.hex(z) + " but skipped "
                        + Zxid.hex(skipped) + " which others delivered before it");
            }
        } else {
            Long next = delivered.higherKey(prev);
            if (next != null) {
                throw new Violation("Agreement", "server " + server + " delivered " + Zxid.hex(z) + " after "
                        + Zxid.hex(prev) + " where others delivered " + Zxid.hex(next));
            }
            delivered.put(z, e);
        }
        lastDelivered.put(server, z);
    }

    /** The longest delivered sequence (for liveness checks and reports). */
    public long lastDeliveredZxid() {
        return delivered.isEmpty() ? 0 : delivered.lastKey();
    }

    public boolean wasDelivered(long zxid) {
        return delivered.containsKey(zxid);
    }

    public int deliveredCount() {
        return delivered.size();
    }
}
