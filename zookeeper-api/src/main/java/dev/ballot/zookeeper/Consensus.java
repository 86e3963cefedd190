package dev.ballot.zookeeper;

import java.util.concurrent.CompletableFuture;

/**
 * What the ZooKeeper server needs from the member it runs in: the consensus engine's leader, and on the leader
 * proposals and read barriers. The node implements it over its runtime; tests over a single in-process log.
 */
public interface Consensus {
    long selfId();

    /** The current leader's member id, 0 when there is none. */
    long leaderId();

    /** "leader", "follower", "observer" or "looking" (for srvr and mntr). */
    String role();

    /**
     * Leader only: append the txn; completes once it is committed and applied on this member, or fails with a
     * {@link Refused} saying whether it can have been applied.
     */
    CompletableFuture<Void> propose(byte[] txn);

    /**
     * Leader only: completes with this member's applied zxid once a quorum confirmed it still leads, after
     * everything committed before the call has been applied (ZooKeeper's sync).
     */
    CompletableFuture<Long> readBarrier();

    /** Why the leader did not take a request. */
    final class Refused extends RuntimeException {
        public enum Kind {
            /** Not the leader (or no leader yet): nothing was appended, retrying is safe. */
            NOT_LEADER,
            /** The leader is busy (a leadership transfer, an epoch starting): nothing was appended. */
            BUSY,
            /** Appended, then leadership changed: it may or may not commit. */
            OUTCOME_UNKNOWN,
            /** The member is stopping. */
            STOPPED
        }

        private final Kind kind;

        public Refused(Kind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }

        public boolean retryable() {
            return kind == Kind.NOT_LEADER || kind == Kind.BUSY;
        }
    }
}
