package dev.ballot.engine.zab;

import dev.ballot.engine.EntryBatch;
import dev.ballot.engine.LogEntry;

import java.util.List;

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
    /**
     * The last zxid of a batch that {@link ZabOptions#maxBatchBytes} cut short, 0 when none: the learner's ACK of it
     * brings the next batch at once instead of at the next ping.
     */
    long cutAt;

    LearnerHandle(long id) {
        this.id = id;
    }

    /** {@code entries} within {@code maxBytes} (see {@link EntryBatch}); remembers where a cut batch ends. */
    List<LogEntry> batch(List<LogEntry> entries, long maxBytes) {
        List<LogEntry> out = EntryBatch.limit(entries, maxBytes);
        if (out.size() < entries.size()) {
            cutAt = out.get(out.size() - 1).index();
        }
        return out;
    }

    boolean synced() {
        return phase == Phase.SYNCED;
    }

    boolean syncing() {
        return phase == Phase.SYNC_SENT || phase == Phase.SYNCED;
    }
}
