package dev.ballot.engine.zab;

import java.util.Arrays;

/**
 * How a leader brings one learner's history in line with its own before NEWLEADER (ZooKeeper's
 * {@code LearnerHandler.syncFollower}). The whole decision is {@link #decide}, a pure function.
 *
 * <p>It rests on the log-matching property that ZAB's sync keeps: two histories that both hold a
 * zxid agree on every transaction up to it (a zxid is issued once, by the single established
 * leader of its epoch, and a learner only appends contiguous proposals after a sync that made its
 * history a prefix of the leader's). So:
 * <ul>
 *   <li>the learner's last zxid is in the leader's log (or is the snapshot's zxid): its history is a
 *       prefix of the leader's, send a DIFF of what follows;</li>
 *   <li>it is not, but some leader zxid below it is: the learner holds transactions no quorum ever
 *       kept; TRUNC back to the greatest leader zxid below its last one, then DIFF from there;</li>
 *   <li>the common point would be inside the leader's snapshot (compacted away): SNAP.</li>
 * </ul>
 * The learner checks that it holds the TRUNC point and asks for a SNAP when it does not, so a
 * wrong assumption here can cost a snapshot transfer, never a divergent history.
 */
public record SyncPlan(Mode mode, long truncateTo, long diffFrom) {
    public enum Mode { DIFF, TRUNC, SNAP }

    public static SyncPlan diff(long from) {
        return new SyncPlan(Mode.DIFF, -1, from);
    }

    public static SyncPlan trunc(long to) {
        return new SyncPlan(Mode.TRUNC, to, to);
    }

    public static SyncPlan snap(long snapshotZxid) {
        return new SyncPlan(Mode.SNAP, -1, snapshotZxid);
    }

    /**
     * @param peerLastZxid  the learner's last logged zxid (0 when empty)
     * @param snapshotZxid  the zxid the leader's snapshot covers (0 when it has none)
     * @param leaderZxids   the zxids of the leader's log after its snapshot, ascending
     * @param forceSnap     send a snapshot whatever the logs say (the learner asked for one)
     */
    public static SyncPlan decide(long peerLastZxid, long snapshotZxid, long[] leaderZxids, boolean forceSnap) {
        if (forceSnap) {
            return snap(snapshotZxid);
        }
        long leaderLast = leaderZxids.length == 0 ? snapshotZxid : leaderZxids[leaderZxids.length - 1];
        if (peerLastZxid == leaderLast || peerLastZxid == snapshotZxid) {
            return diff(peerLastZxid);
        }
        if (peerLastZxid < snapshotZxid) {
            return snap(snapshotZxid);
        }
        int pos = Arrays.binarySearch(leaderZxids, peerLastZxid);
        if (pos >= 0) {
            return diff(peerLastZxid);
        }
        int insertion = -pos - 1;
        long floor = insertion == 0 ? snapshotZxid : leaderZxids[insertion - 1];
        if (floor == 0 && snapshotZxid == 0) {
            return trunc(0);
        }
        return trunc(floor);
    }
}
