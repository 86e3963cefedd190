package dev.ballot.engine.zab;

/** The leader's view of one learner (ZooKeeper's LearnerHandler, minus the socket). */
final class LearnerHandle {
    enum Phase {
        /** FOLLOWERINFO received; waiting for the epoch to be chosen or acknowledged. */
        REGISTERED,
        /** ACKEPOCH received; the sync will go out once a quorum acknowledged the epoch. */
        EPOCH_ACKED,
        /** NEWLEADER (with DIFF, TRUNC or SNAP) sent; waiting for its ACK. */
        SYNC_SENT,
        /** NEWLEADER acknowledged: the learner's history is a prefix of the leader's. */
        SYNCED
    }

    final long id;
    Phase phase = Phase.REGISTERED;
    long acceptedEpoch = -1;
    long currentEpoch = -1;
    long lastZxid = -1;
    /** Highest zxid the learner durably holds, known from cumulative ACKs; -1 when unknown. */
    long ackedZxid = -1;
    long readAcked;
    int ticksSinceContact;
    int ticksSinceSync;
    boolean needSnapshot;

    LearnerHandle(long id) {
        this.id = id;
    }

    boolean synced() {
        return phase == Phase.SYNCED;
    }

    boolean syncing() {
        return phase == Phase.SYNC_SENT || phase == Phase.SYNCED;
    }
}
