package dev.ballot.engine.zab;

/**
 * A Fast Leader Election vote: the proposed leader and that leader's last zxid and current epoch.
 * Votes are ordered by epoch, then zxid, then server id (ZooKeeper's {@code totalOrderPredicate}).
 */
public record Vote(long leader, long zxid, long epoch) {
    public static final Vote NONE = new Vote(0, -1, -1);

    /**
     * True when {@code candidate} beats {@code current}. {@code designated} (0 for none) is the
     * target of a leadership transfer: it wins ties on (epoch, zxid) instead of the higher id. It
     * never overrides epoch or zxid, so a transfer can only pick among the most up-to-date servers.
     */
    public static boolean beats(Vote candidate, Vote current, long designated, boolean ignoreZxid) {
        if (candidate.epoch != current.epoch) {
            return candidate.epoch > current.epoch;
        }
        if (!ignoreZxid && candidate.zxid != current.zxid) {
            return candidate.zxid > current.zxid;
        }
        if (designated != 0 && candidate.leader != current.leader) {
            if (candidate.leader == designated) {
                return true;
            }
            if (current.leader == designated) {
                return false;
            }
        }
        return candidate.leader > current.leader;
    }

    public static boolean beats(Vote candidate, Vote current) {
        return beats(candidate, current, 0, false);
    }
}
