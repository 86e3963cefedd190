package dev.ballot.engine.zab;

import dev.ballot.engine.EntryBatch;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.zab.ZabMessage.Ack;
import dev.ballot.engine.zab.ZabMessage.Commit;
import dev.ballot.engine.zab.ZabMessage.Elect;
import dev.ballot.engine.zab.ZabMessage.Inform;
import dev.ballot.engine.zab.ZabMessage.Ping;
import dev.ballot.engine.zab.ZabMessage.PingAck;
import dev.ballot.engine.zab.ZabMessage.Propose;
import dev.ballot.engine.zab.ZabMessage.UpToDate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * ZAB's last phase, on both sides: PROPOSAL (batched, carrying the zxid it follows), cumulative ACK, COMMIT when a
 * quorum of voters acknowledged, in zxid order; observers get committed entries by INFORM. Pings every half
 * tickTime carry the commit point and read confirmations; their answers trigger retransmission. Also what only a
 * broadcasting leader does: quorum reads, leadership transfer and configuration changes.
 */
final class Broadcast {
    private record PendingRead(long requestId, long index, long seq) {
    }

    private final ZabNode n;

    private long counter;
    private int pingLeft;
    private long readSeq;
    private final List<PendingRead> pendingReads = new ArrayList<>();
    private long transferTarget;
    private int transferTicks;

    Broadcast(ZabNode node) {
        this.n = node;
    }

    /** A new epoch: zxids count from 1 again. */
    void restartCounter() {
        counter = 0;
    }

    /** Looking again: reads waiting for a quorum are dropped (the client retries) and a transfer is over. */
    void forgetReadsAndTransfer() {
        pendingReads.clear();
        transferTarget = 0;
    }

    /** The leader has just been established: ping soon, commit what a quorum already holds. */
    void started() {
        pingLeft = n.opt.pingIntervalTicks();
        maybeCommit();
    }

    boolean transferring() {
        return transferTarget != 0;
    }

    // ------------------------------------------------------------------ leader: time

    /** A broadcasting leader's tick: check the quorum, move a transfer on, ping. */
    void tickLeader() {
        if (lostQuorum()) {
            return;
        }
        if (transferTarget != 0) {
            if (++transferTicks > n.opt.initTimeoutTicks()) {
                transferTarget = 0;
            } else if (maybeHandOff()) {
                return;
            }
        }
        if (--pingLeft <= 0) {
            pingAll();
        }
    }

    /**
     * A broadcasting leader that no longer hears a quorum of synced voters within syncLimit steps
     * down (ZooKeeper's Leader.lead() loop). Returns true when it did.
     */
    boolean lostQuorum() {
        Set<Long> alive = new HashSet<>();
        alive.add(n.id);
        for (LearnerHandle l : n.learners.values()) {
            if (l.synced() && l.ticksSinceContact <= n.opt.syncTimeoutTicks()) {
                alive.add(l.id);
            }
        }
        if (!Quorum.isMajority(n.membership.voterIds(), alive)) {
            n.election.startLooking(0, 0, null);
            return true;
        }
        return false;
    }

    private void pingAll() {
        pingLeft = n.opt.pingIntervalTicks();
        for (LearnerHandle l : n.learners.values()) {
            if (l.syncing()) {
                n.send(new Ping(n.id, l.id, n.currentEpoch, n.committed, readSeq));
            }
        }
    }

    // ------------------------------------------------------------------ leader: acknowledgements

    void onAck(Ack m) {
        LearnerHandle l = n.learners.get(m.from());
        if (n.state != ServerState.LEADING || l == null || m.epoch() != n.currentEpoch || !l.syncing()) {
            return;
        }
        l.ticksSinceContact = 0;
        acknowledged(l, m.zxid());
        if (l.cutAt != 0 && m.zxid() >= l.cutAt && n.state == ServerState.LEADING && l.synced()) {
            l.cutAt = 0;
            catchUp(l, m.zxid());
        }
    }

    /** The learner durably holds our history up to {@code zxid} (so it applied a NEWLEADER of this epoch). */
    private void acknowledged(LearnerHandle l, long zxid) {
        l.ackedZxid = Math.max(l.ackedZxid, zxid);
        if (l.phase == LearnerHandle.Phase.SYNC_SENT) {
            l.phase = LearnerHandle.Phase.SYNCED;
            if (n.leaderPhase == ZabNode.LeaderPhase.BROADCAST) {
                n.send(new UpToDate(n.id, l.id, n.currentEpoch, n.committed));
            }
        }
        if (n.leaderPhase == ZabNode.LeaderPhase.SYNC) {
            n.sync.maybeEstablish();
        } else {
            maybeCommit();
            if (transferTarget == l.id) {
                maybeHandOff();
            }
        }
    }

    void onPingAck(PingAck m) {
        LearnerHandle l = n.learners.get(m.from());
        if (n.state != ServerState.LEADING || l == null || m.epoch() != n.currentEpoch) {
            return;
        }
        l.ticksSinceContact = 0;
        l.readAcked = Math.max(l.readAcked, m.readSeq());
        if (l.syncing() && m.currentEpoch() == n.currentEpoch) {
            // Only a learner synced in this epoch answers pings; this also stands in for a lost ACK
            // of NEWLEADER (an observer gets no proposals, so it would never ACK again).
            acknowledged(l, m.lastZxid());
            if (n.state == ServerState.LEADING && l.synced()) {
                catchUp(l, m.lastZxid());
            }
        }
        releaseReads();
    }

    /** Resends what a synced learner lacks: proposals (followers) or committed entries (observers). */
    private void catchUp(LearnerHandle l, long learnerLast) {
        boolean observer = !n.membership.isVoter(l.id);
        long upTo = observer ? n.committed : n.log.lastZxid();
        if (learnerLast >= upTo) {
            return;
        }
        if (learnerLast < n.log.snapshotZxid() || !n.log.holds(learnerLast)) {
            l.needSnapshot = true;
            n.sync.sendSync(l);
            return;
        }
        List<LogEntry> missing = l.batch(n.log.between(learnerLast, upTo, n.opt.maxBatch()), n.opt.maxBatchBytes());
        if (observer) {
            n.send(new Inform(n.id, l.id, n.currentEpoch, learnerLast, missing, n.committed));
        } else {
            n.send(new Propose(n.id, l.id, n.currentEpoch, learnerLast, missing, n.committed));
        }
    }

    private void maybeCommit() {
        if (n.state != ServerState.LEADING || n.leaderPhase != ZabNode.LeaderPhase.BROADCAST) {
            return;
        }
        Map<Long, Long> acks = new TreeMap<>();
        acks.put(n.id, n.log.lastZxid());
        for (LearnerHandle l : n.learners.values()) {
            if (l.synced()) {
                acks.put(l.id, l.ackedZxid);
            }
        }
        long q = Quorum.committedIndex(n.membership.voterIds(), acks);
        if (n.opt.hasMutant(ZabMutant.COMMIT_BEFORE_QUORUM)) {
            q = n.log.lastZxid();
        }
        if (q <= n.committed) {
            return;
        }
        long before = n.committed;
        n.committed = q;
        for (LearnerHandle l : n.learners.values()) {
            if (!l.synced()) {
                continue;
            }
            if (n.membership.isVoter(l.id)) {
                n.send(new Commit(n.id, l.id, n.currentEpoch, n.committed));
            } else {
                n.send(new Inform(n.id, l.id, n.currentEpoch, before, EntryBatch.limit(n.log.between(before, n.committed, n.opt.maxBatch()), n.opt.maxBatchBytes()),
                        n.committed));
            }
        }
        afterCommit(before);
    }

    private void afterCommit(long before) {
        Membership committedConfig = n.log.configAt(n.committed);
        if (n.log.latestConfigZxid() > before && n.log.latestConfigZxid() <= n.committed
                && !committedConfig.isVoter(n.id) && transferTarget == 0) {
            // This leader removed itself: hand over to the most caught-up voter.
            transferLeadership(0);
        }
    }

    // ------------------------------------------------------------------ leader: client calls

    Proposal propose(byte[] command) {
        if (n.state != ServerState.LEADING) {
            return Proposal.notLeader(n.serving ? n.leaderId : 0);
        }
        if (n.leaderPhase != ZabNode.LeaderPhase.BROADCAST || transferTarget != 0) {
            return Proposal.busy(n.id);
        }
        long zxid = appendLocal(EntryType.COMMAND, command);
        return Proposal.accepted(zxid, n.currentEpoch);
    }

    private long appendLocal(EntryType type, byte[] data) {
        counter++;
        if (counter >= 0xffffffffL) {
            // The counter would overflow into the epoch bits: force a new epoch, as ZooKeeper does.
            n.election.startLooking(0, 0, null);
            throw new IllegalStateException("zxid counter exhausted in epoch " + n.currentEpoch + "; re-electing");
        }
        long zxid = Zxid.of(n.currentEpoch, counter);
        long prev = n.log.lastZxid();
        LogEntry e = new LogEntry(zxid, n.currentEpoch, type, data);
        n.log.append(e);
        n.unstable.add(e);
        if (type == EntryType.CONFIG) {
            n.refreshMembership();
        }
        for (LearnerHandle l : n.learners.values()) {
            if (l.syncing() && n.membership.isVoter(l.id)) {
                n.send(new Propose(n.id, l.id, n.currentEpoch, prev, List.of(e), n.committed));
            }
        }
        maybeCommit();
        return zxid;
    }

    boolean requestRead(long requestId) {
        if (n.state != ServerState.LEADING || n.leaderPhase != ZabNode.LeaderPhase.BROADCAST) {
            return false;
        }
        readSeq++;
        pendingReads.add(new PendingRead(requestId, n.committed, readSeq));
        for (LearnerHandle l : n.learners.values()) {
            if (l.synced() && n.membership.isVoter(l.id)) {
                n.send(new Ping(n.id, l.id, n.currentEpoch, n.committed, readSeq));
            }
        }
        releaseReads();
        return true;
    }

    private void releaseReads() {
        while (!pendingReads.isEmpty()) {
            PendingRead r = pendingReads.get(0);
            Set<Long> confirmed = new HashSet<>();
            confirmed.add(n.id);
            for (LearnerHandle l : n.learners.values()) {
                if (l.synced() && l.readAcked >= r.seq()) {
                    confirmed.add(l.id);
                }
            }
            if (!Quorum.isMajority(n.membership.voterIds(), confirmed)) {
                return;
            }
            pendingReads.remove(0);
            n.readStates.add(new ReadState(r.requestId(), r.index()));
        }
    }

    boolean transferLeadership(long target) {
        if (n.state != ServerState.LEADING || n.leaderPhase != ZabNode.LeaderPhase.BROADCAST) {
            return false;
        }
        if (target == n.id) {
            return true;
        }
        long chosen = target;
        if (chosen == 0) {
            long best = -1;
            for (LearnerHandle l : n.learners.values()) {
                if (l.synced() && n.membership.isVoter(l.id) && l.ticksSinceContact <= n.opt.syncTimeoutTicks()
                        && l.ackedZxid > best) {
                    best = l.ackedZxid;
                    chosen = l.id;
                }
            }
        }
        LearnerHandle l = n.learners.get(chosen);
        if (chosen == 0 || l == null || !l.synced() || !n.membership.isVoter(chosen)) {
            return false;
        }
        transferTarget = chosen;
        transferTicks = 0;
        maybeHandOff();
        return true;
    }

    /** Hands off once the target holds every entry and all of them are committed; true when done. */
    private boolean maybeHandOff() {
        LearnerHandle l = n.learners.get(transferTarget);
        if (l == null || !l.synced() || l.ackedZxid < n.log.lastZxid() || n.committed < n.log.lastZxid()) {
            return false;
        }
        long target = transferTarget;
        Vote targetVote = new Vote(target, n.log.lastZxid(), n.currentEpoch);
        long round = n.election.round() + 1;
        for (long v : n.membership.ids()) {
            LearnerHandle h = n.learners.get(v);
            if (h != null && h.syncing()) {
                n.send(new Elect(n.id, v, n.currentEpoch, target, targetVote.zxid(), targetVote.epoch(), round));
            }
        }
        n.election.startLooking(round, target, targetVote);
        return true;
    }

    Proposal proposeMembership(MembershipChange change) {
        if (n.state != ServerState.LEADING) {
            return Proposal.notLeader(n.serving ? n.leaderId : 0);
        }
        if (n.leaderPhase != ZabNode.LeaderPhase.BROADCAST || transferTarget != 0
                || n.log.latestConfigZxid() > n.committed) {
            return Proposal.busy(n.id);
        }
        Membership next = ZabConfigChange.next(n.membership, change);
        if (next.equals(n.membership)) {
            return Proposal.accepted(Math.max(n.log.latestConfigZxid(), 0), n.currentEpoch);
        }
        long zxid = appendLocal(EntryType.CONFIG, MembershipCodec.encode(next));
        return Proposal.accepted(zxid, n.currentEpoch);
    }

    // ------------------------------------------------------------------ learner side

    private boolean syncedWith(ZabMessage m, long epoch) {
        return n.fromMyLeader(m) && n.learnerPhase == ZabNode.LearnerPhase.SYNCED && epoch == n.currentEpoch;
    }

    void onPropose(Propose m) {
        acceptFromLeader(m, m.epoch(), m.prevZxid(), m.entries(), m.committedZxid());
    }

    /** Observers take the same stream as followers; their acks never count toward a quorum, only toward their lag. */
    void onInform(Inform m) {
        acceptFromLeader(m, m.epoch(), m.prevZxid(), m.entries(), m.committedZxid());
    }

    private void acceptFromLeader(ZabMessage m, long epoch, long prevZxid, List<LogEntry> entries, long committedZxid) {
        if (!syncedWith(m, epoch)) {
            return;
        }
        n.ticksSinceLeader = 0;
        n.appendContiguous(prevZxid, entries);
        n.advanceCommit(committedZxid);
        n.send(new Ack(n.id, n.leaderId, n.currentEpoch, n.log.lastZxid()));
    }

    void onCommit(Commit m) {
        if (syncedWith(m, m.epoch())) {
            n.ticksSinceLeader = 0;
            n.advanceCommit(m.zxid());
        }
    }

    void onUpToDate(UpToDate m) {
        if (syncedWith(m, m.epoch())) {
            n.ticksSinceLeader = 0;
            n.serving = true;
            n.advanceCommit(m.committedZxid());
        }
    }

    void onPing(Ping m) {
        if (!n.fromMyLeader(m) || m.epoch() != n.followEpoch) {
            return;
        }
        n.ticksSinceLeader = 0;
        if (n.learnerPhase != ZabNode.LearnerPhase.SYNCED) {
            return;
        }
        n.serving = true;
        n.advanceCommit(m.committedZxid());
        n.send(new PingAck(n.id, n.leaderId, n.followEpoch, n.currentEpoch, n.log.lastZxid(), m.readSeq()));
    }
}
