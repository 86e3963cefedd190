package dev.ballot.engine.zab;

import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.zab.ZabMessage.AckEpoch;
import dev.ballot.engine.zab.ZabMessage.FollowerInfo;
import dev.ballot.engine.zab.ZabMessage.LeaderInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ZAB's second phase, on both sides. The elected leader takes {@code max(acceptedEpoch)+1} over a quorum of
 * FOLLOWERINFOs; learners accept it (persisting acceptedEpoch) and answer ACKEPOCH with (currentEpoch, last zxid).
 * If any of them is ahead of the leader the leader gives up, so the elected history always contains everything a
 * quorum may have committed. Once a quorum acknowledged the epoch, {@link Synchronisation} takes over.
 */
final class Discovery {
    private final ZabNode n;

    // leader
    private final Map<Long, Long> epochOffers = new TreeMap<>();
    private final Set<Long> epochAcks = new HashSet<>();
    private long proposedEpoch = -1;

    // learner
    private boolean freshEpochAck;
    private int resendLeft;

    Discovery(ZabNode node) {
        this.n = node;
    }

    /** Looking again: whatever epoch this server was gathering as leader is abandoned. */
    void forgetEpochOffers() {
        epochOffers.clear();
        epochAcks.clear();
    }

    // ------------------------------------------------------------------ learner side

    void becomeLearner(long leader) {
        n.state = n.membership.isVoter(n.id) ? ServerState.FOLLOWING : ServerState.OBSERVING;
        n.leaderId = leader;
        n.serving = false;
        n.learnerPhase = ZabNode.LearnerPhase.REGISTERING;
        n.followEpoch = -1;
        n.ticksSinceLeader = 0;
        n.ticksInPhase = 0;
        sendFollowerInfo();
    }

    private void sendFollowerInfo() {
        n.send(new FollowerInfo(n.id, n.leaderId, n.acceptedEpoch, n.log.lastZxid(), !n.membership.isVoter(n.id)));
        resendLeft = 2;
    }

    private void sendAckEpoch() {
        n.send(new AckEpoch(n.id, n.leaderId, n.followEpoch, n.currentEpoch, n.log.lastZxid(), freshEpochAck));
    }

    /** A learner's tick: give up on a silent leader or a sync that takes too long, else re-send what may be lost. */
    void tickLearner() {
        n.ticksSinceLeader++;
        n.ticksInPhase++;
        boolean syncDeadline = !n.serving && n.ticksInPhase > n.opt.initTimeoutTicks();
        // Registering, a leader that has not answered within syncLimit is not coming: look again.
        boolean silent = n.ticksSinceLeader > n.opt.syncTimeoutTicks();
        if (syncDeadline || silent) {
            n.election.startLooking(0, 0, null);
            return;
        }
        if (--resendLeft > 0) {
            return;
        }
        if (n.learnerPhase == ZabNode.LearnerPhase.REGISTERING) {
            sendFollowerInfo();
        } else if (n.learnerPhase == ZabNode.LearnerPhase.EPOCH_ACKED) {
            sendAckEpoch();
            resendLeft = n.opt.tickTime();
        } else {
            resendLeft = Integer.MAX_VALUE;
        }
    }

    void onLeaderInfo(LeaderInfo m) {
        if (!n.fromMyLeader(m) || n.learnerPhase == ZabNode.LearnerPhase.SYNCED) {
            return;
        }
        n.ticksSinceLeader = 0;
        if (n.learnerPhase == ZabNode.LearnerPhase.EPOCH_ACKED && m.newEpoch() == n.followEpoch) {
            sendAckEpoch();
            return;
        }
        if (m.newEpoch() < n.acceptedEpoch) {
            // A leader behind our accepted epoch cannot gather a quorum that includes us.
            n.election.startLooking(0, 0, null);
            return;
        }
        freshEpochAck = m.newEpoch() > n.acceptedEpoch;
        n.acceptedEpoch = m.newEpoch();
        n.followEpoch = m.newEpoch();
        n.learnerPhase = ZabNode.LearnerPhase.EPOCH_ACKED;
        sendAckEpoch();
        resendLeft = n.opt.tickTime();
    }

    // ------------------------------------------------------------------ leader side

    void becomeLeader() {
        n.state = ServerState.LEADING;
        n.leaderId = n.id;
        n.serving = false;
        n.leaderPhase = ZabNode.LeaderPhase.DISCOVERY;
        n.learners.clear();
        epochOffers.clear();
        epochAcks.clear();
        proposedEpoch = -1;
        n.ticksInPhase = 0;
        epochOffers.put(n.id, n.acceptedEpoch);
        maybeProposeEpoch();
        List<FollowerInfo> early = n.election.takeEarlyFollowers();
        for (FollowerInfo f : early) {
            onFollowerInfo(f);
        }
    }

    void onFollowerInfo(FollowerInfo m) {
        if (n.state == ServerState.LOOKING) {
            // A learner settled on us before our own finalize wait ended: keep it for becomeLeader.
            n.election.keepEarlyFollower(m);
            return;
        }
        if (n.state != ServerState.LEADING || !n.membership.contains(m.from())) {
            return;
        }
        LearnerHandle l = n.learner(m.from());
        l.ticksSinceContact = 0;
        l.acceptedEpoch = m.acceptedEpoch();
        // A duplicate FOLLOWERINFO must not undo a sync; a real new session re-syncs on its ACKEPOCH.
        if (n.leaderPhase == ZabNode.LeaderPhase.DISCOVERY) {
            if (n.membership.isVoter(m.from())) {
                epochOffers.put(m.from(), m.acceptedEpoch());
                maybeProposeEpoch();
            }
        } else if (m.acceptedEpoch() > proposedEpoch) {
            // It promised a later epoch (to a leader that never got established) and can never join
            // ours; ZooKeeper leaves it out until the next election. Start that election now, so every
            // member gets back in.
            n.election.startLooking(0, 0, null);
        } else {
            n.send(new LeaderInfo(n.id, m.from(), proposedEpoch));
        }
    }

    private void maybeProposeEpoch() {
        if (n.leaderPhase != ZabNode.LeaderPhase.DISCOVERY
                || !Quorum.isMajority(n.membership.voterIds(), epochOffers.keySet())) {
            return;
        }
        long max = 0;
        for (long e : epochOffers.values()) {
            max = Math.max(max, e);
        }
        proposedEpoch = max + 1;
        n.acceptedEpoch = proposedEpoch;
        n.leaderPhase = ZabNode.LeaderPhase.EPOCH_ACK;
        epochAcks.add(n.id);
        for (LearnerHandle l : n.learners.values()) {
            n.send(new LeaderInfo(n.id, l.id, proposedEpoch));
        }
        maybeEstablishEpoch();
    }

    void onAckEpoch(AckEpoch m) {
        if (n.state != ServerState.LEADING || m.epoch() != proposedEpoch || !n.learners.containsKey(m.from())) {
            return;
        }
        LearnerHandle l = n.learners.get(m.from());
        l.ticksSinceContact = 0;
        if (l.syncing()) {
            // NEWLEADER was lost, or the learner began a new session: sync it again from what it reports.
            if (l.ticksSinceSync >= n.opt.tickTime()) {
                l.currentEpoch = m.currentEpoch();
                l.lastZxid = m.lastZxid();
                n.sync.sendSync(l);
            }
            return;
        }
        l.currentEpoch = m.currentEpoch();
        l.lastZxid = m.lastZxid();
        l.phase = LearnerHandle.Phase.EPOCH_ACKED;
        if (n.leaderPhase == ZabNode.LeaderPhase.EPOCH_ACK) {
            if (!n.membership.isVoter(m.from())) {
                return;
            }
            boolean ahead = m.currentEpoch() > n.currentEpoch
                    || (m.currentEpoch() == n.currentEpoch && m.lastZxid() > n.log.lastZxid());
            if (ahead && !n.opt.hasMutant(ZabMutant.VOTE_IGNORES_ZXID)) {
                // FLE chose us, but this quorum member has a later history: elect again.
                n.election.startLooking(0, 0, null);
                return;
            }
            if (m.fresh()) {
                epochAcks.add(m.from());
                maybeEstablishEpoch();
            }
        } else {
            n.sync.sendSync(l);
        }
    }

    /** A quorum acknowledged the new epoch: it becomes current, and synchronisation starts. */
    private void maybeEstablishEpoch() {
        if (n.leaderPhase != ZabNode.LeaderPhase.EPOCH_ACK || !Quorum.isMajority(n.membership.voterIds(), epochAcks)) {
            return;
        }
        n.currentEpoch = proposedEpoch;
        n.sync.start();
    }
}
