package dev.ballot.engine.zab;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.zab.ZabMessage.Ack;
import dev.ballot.engine.zab.ZabMessage.NeedSnapshot;
import dev.ballot.engine.zab.ZabMessage.NewLeader;
import dev.ballot.engine.zab.ZabMessage.UpToDate;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ZAB's synchronisation, on both sides. Once a quorum acknowledged the epoch, each learner gets one NEWLEADER message
 * holding the DIFF, TRUNC or SNAP chosen by {@link SyncPlan#decide}, the entries and the new epoch. The learner
 * applies all of it in one Ready (truncate, append, new currentEpoch) and its ACK leaves only after that batch is
 * durable (ZOOKEEPER-4394/4643 cannot happen); there is no side queue between NEWLEADER and UPTODATE
 * (ZOOKEEPER-4785), and a learner appends only entries that follow its last zxid (ZOOKEEPER-4925). The leader
 * serves (UPTODATE, then {@link Broadcast}) once a quorum holds its whole initial history; that history is then
 * committed.
 */
final class Synchronisation {
    private final ZabNode n;

    /** The leader's last zxid when its epoch was established: what a quorum must hold before it serves. */
    private long establishedZxid;

    Synchronisation(ZabNode node) {
        this.n = node;
    }

    // ------------------------------------------------------------------ leader side

    /** The epoch is established: sync every learner that acknowledged it. */
    void start() {
        n.broadcast.restartCounter();
        establishedZxid = n.log.lastZxid();
        n.leaderPhase = ZabNode.LeaderPhase.SYNC;
        for (LearnerHandle l : n.learners.values()) {
            if (l.phase == LearnerHandle.Phase.EPOCH_ACKED) {
                sendSync(l);
            }
        }
        maybeEstablish();
    }

    void sendSync(LearnerHandle l) {
        SyncPlan plan = SyncPlan.decide(l.lastZxid, n.log.snapshotZxid(), n.log.zxids(), l.needSnapshot);
        Snapshot snap = null;
        long prev;
        switch (plan.mode()) {
            case SNAP -> {
                snap = n.log.snapshot() != null ? n.log.snapshot()
                        : new Snapshot(0, 0, n.log.configAt(0), new byte[0]);
                prev = snap.index();
            }
            case TRUNC -> prev = plan.truncateTo();
            default -> prev = plan.diffFrom();
        }
        List<LogEntry> entries = l.batch(n.log.between(prev, Long.MAX_VALUE, n.opt.maxBatch() * 16), n.opt.maxBatchBytes());
        n.send(new NewLeader(n.id, l.id, n.currentEpoch, plan.mode(), plan.truncateTo(), snap, prev, entries,
                n.committed));
        if (!l.synced()) {
            l.phase = LearnerHandle.Phase.SYNC_SENT;
        }
        l.ticksSinceSync = 0;
        l.needSnapshot = false;
    }

    void onNeedSnapshot(NeedSnapshot m) {
        LearnerHandle l = n.learners.get(m.from());
        if (n.state != ServerState.LEADING || l == null || m.epoch() != n.currentEpoch || l.synced()) {
            return;
        }
        l.ticksSinceContact = 0;
        l.needSnapshot = true;
        sendSync(l);
    }

    /** A quorum holds the initial history: it is committed and the leader starts serving. */
    void maybeEstablish() {
        if (n.leaderPhase != ZabNode.LeaderPhase.SYNC) {
            return;
        }
        Set<Long> holders = new HashSet<>();
        holders.add(n.id);
        for (LearnerHandle l : n.learners.values()) {
            if (l.synced() && l.ackedZxid >= establishedZxid) {
                holders.add(l.id);
            }
        }
        if (!Quorum.isMajority(n.membership.voterIds(), holders)) {
            return;
        }
        n.leaderPhase = ZabNode.LeaderPhase.BROADCAST;
        n.serving = true;
        n.committed = Math.max(n.committed, establishedZxid);
        for (LearnerHandle l : n.learners.values()) {
            if (l.synced()) {
                n.send(new UpToDate(n.id, l.id, n.currentEpoch, n.committed));
            }
        }
        n.broadcast.started();
    }

    // ------------------------------------------------------------------ learner side

    void onNewLeader(NewLeader m) {
        if (!n.fromMyLeader(m) || m.epoch() != n.followEpoch) {
            return;
        }
        n.ticksSinceLeader = 0;
        if (n.learnerPhase == ZabNode.LearnerPhase.SYNCED) {
            boolean catchUpSnapshot = m.mode() == SyncPlan.Mode.SNAP && m.snapshot() != null
                    && m.snapshot().index() > n.log.lastZxid();
            if (!catchUpSnapshot) {
                n.send(new Ack(n.id, n.leaderId, n.currentEpoch, n.log.lastZxid()));
                return;
            }
        } else if (n.learnerPhase != ZabNode.LearnerPhase.EPOCH_ACKED) {
            return;
        }
        switch (m.mode()) {
            case SNAP -> {
                if (m.snapshot() == null) {
                    return;
                }
                installSnapshot(m.snapshot());
            }
            case TRUNC -> {
                if (!n.log.holds(m.truncateTo())) {
                    n.send(new NeedSnapshot(n.id, n.leaderId, n.followEpoch));
                    return;
                }
                if (!n.opt.hasMutant(ZabMutant.SKIP_TRUNC)) {
                    truncateAfter(m.truncateTo());
                }
            }
            case DIFF -> {
                if (m.prevZxid() != n.log.lastZxid()) {
                    // Computed from an older report of ours; the next ACKEPOCH brings a fresh one.
                    return;
                }
            }
            default -> throw new IllegalStateException("unknown sync mode " + m.mode());
        }
        n.forgetLearnedConfig();
        n.appendContiguous(m.prevZxid(), m.entries());
        n.currentEpoch = m.epoch();
        n.learnerPhase = ZabNode.LearnerPhase.SYNCED;
        n.advanceCommit(m.committedZxid());
        n.send(new Ack(n.id, n.leaderId, n.currentEpoch, n.log.lastZxid()));
    }

    private void installSnapshot(Snapshot s) {
        n.log.install(s);
        n.unstable.clear();
        n.pendingTruncate = 0;
        n.pendingSnapshot = s;
        n.applied = s.index();
        n.committed = Math.max(n.committed, s.index());
        n.refreshMembership();
    }

    private void truncateAfter(long zxid) {
        if (n.log.truncateAfter(zxid) == 0) {
            return;
        }
        n.unstable.removeIf(e -> e.index() > zxid);
        n.pendingTruncate = n.pendingTruncate == Ready.NO_TRUNCATION ? zxid + 1 : Math.min(n.pendingTruncate, zxid + 1);
        n.committed = Math.min(n.committed, zxid);
        n.refreshMembership();
    }
}
