package dev.ballot.engine.zab;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.Snapshot;

import java.util.List;

/**
 * ZAB's messages. Election: {@link Notification}. Discovery: {@link FollowerInfo} (CEPOCH),
 * {@link LeaderInfo} (NEWEPOCH), {@link AckEpoch}. Synchronisation: {@link NewLeader} (the DIFF,
 * TRUNC or SNAP and NEWLEADER in one message, so no transaction of the sync can be reordered around
 * NEWLEADER), acknowledged by {@link Ack}, then {@link UpToDate}. Broadcast: {@link Propose},
 * {@link Ack}, {@link Commit}; {@link Inform} for observers. {@link Ping}/{@link PingAck} carry
 * liveness, read confirmation and catch-up; {@link Elect} starts a leadership transfer.
 *
 * <p>The simulator drops, duplicates and reorders messages, so every message carries the epoch it
 * belongs to, proposals carry the zxid they follow, and acks are cumulative.
 */
public sealed interface ZabMessage extends Message {

    /**
     * FLE vote of {@code from}: its proposed leader, in election round {@code round}, and its state. As in ZooKeeper
     * 3.5+, it also carries the sender's configuration and that configuration's version (the zxid that put it in
     * force, see {@link ZabNode#configVersion}), so a LOOKING server whose own configuration is older learns the
     * newer one from a server that is LEADING or FOLLOWING ({@link ConfigGossip}). {@code config} is null when the
     * sender sent none (version 0).
     */
    record Notification(long from, long to, long leader, long zxid, long peerEpoch, long round,
                        ServerState state, long designated, long configVersion, Membership config)
            implements ZabMessage {
        public Notification {
            if (config == null) {
                configVersion = 0; // nothing sent, no version
            }
        }

        /** A notification without a configuration (tests, and the codec's view of a sender that sends none). */
        public Notification(long from, long to, long leader, long zxid, long peerEpoch, long round, ServerState state,
                            long designated) {
            this(from, to, leader, zxid, peerEpoch, round, state, designated, 0, null);
        }

        public Vote vote() {
            return new Vote(leader, zxid, peerEpoch);
        }
    }

    /** A learner registers with the leader it elected (FOLLOWERINFO / OBSERVERINFO). */
    record FollowerInfo(long from, long to, long acceptedEpoch, long lastZxid, boolean observer)
            implements ZabMessage {
    }

    /** The epoch the leader proposes (LEADERINFO / NEWEPOCH). */
    record LeaderInfo(long from, long to, long newEpoch) implements ZabMessage {
    }

    /**
     * The learner accepted {@code epoch}; it reports its history's position. {@code fresh} is false
     * when the learner had already accepted this epoch before (ZooKeeper's ACKEPOCH with -1): such an
     * ack must not count toward the epoch's quorum, or two leaders could both gather one for the same
     * epoch; the learner is still synchronised.
     */
    record AckEpoch(long from, long to, long epoch, long currentEpoch, long lastZxid, boolean fresh)
            implements ZabMessage {
        /** A first acknowledgement of {@code epoch} (the common case). */
        public AckEpoch(long from, long to, long epoch, long currentEpoch, long lastZxid) {
            this(from, to, epoch, currentEpoch, lastZxid, true);
        }
    }

    /**
     * Synchronisation and NEWLEADER: apply {@code mode} (TRUNC to {@code truncateTo}, or install
     * {@code snapshot}), append {@code entries} (contiguous after {@code prevZxid}), take
     * {@code epoch} as current epoch, and mark as committed what {@code committedZxid} covers.
     */
    record NewLeader(long from, long to, long epoch, SyncPlan.Mode mode, long truncateTo, Snapshot snapshot,
                     long prevZxid, List<LogEntry> entries, long committedZxid) implements ZabMessage {
        public NewLeader {
            entries = List.copyOf(entries);
        }
    }

    /** Cumulative acknowledgement: the learner durably holds the leader's history up to {@code zxid}. */
    record Ack(long from, long to, long epoch, long zxid) implements ZabMessage {
    }

    /** A quorum acknowledged NEWLEADER: the leader serves and the learner may serve too. */
    record UpToDate(long from, long to, long epoch, long committedZxid) implements ZabMessage {
    }

    /** PROPOSAL: contiguous entries following {@code prevZxid}; {@code committedZxid} piggybacks COMMIT. */
    record Propose(long from, long to, long epoch, long prevZxid, List<LogEntry> entries, long committedZxid)
            implements ZabMessage {
        public Propose {
            entries = List.copyOf(entries);
        }
    }

    record Commit(long from, long to, long epoch, long zxid) implements ZabMessage {
    }

    /** INFORM: committed entries for an observer, contiguous after {@code prevZxid}. */
    record Inform(long from, long to, long epoch, long prevZxid, List<LogEntry> entries, long committedZxid)
            implements ZabMessage {
        public Inform {
            entries = List.copyOf(entries);
        }
    }

    /** The leader's heartbeat; {@code readSeq} asks the learner to confirm this leadership round. */
    record Ping(long from, long to, long epoch, long committedZxid, long readSeq) implements ZabMessage {
    }

    record PingAck(long from, long to, long epoch, long currentEpoch, long lastZxid, long readSeq)
            implements ZabMessage {
    }

    /** The learner cannot apply a TRUNC (it lacks the point): it asks for a snapshot instead. */
    record NeedSnapshot(long from, long to, long epoch) implements ZabMessage {
    }

    /**
     * Leadership transfer: the leader of {@code epoch} steps down and asks everyone to elect
     * {@code target}, whose vote is (target, zxid, targetEpoch), in round {@code round}.
     */
    record Elect(long from, long to, long epoch, long target, long zxid, long targetEpoch, long round)
            implements ZabMessage {
    }
}
