package dev.ballot.engine.zab;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Message;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.zab.ZabMessage.Ack;
import dev.ballot.engine.zab.ZabMessage.AckEpoch;
import dev.ballot.engine.zab.ZabMessage.Commit;
import dev.ballot.engine.zab.ZabMessage.Elect;
import dev.ballot.engine.zab.ZabMessage.FollowerInfo;
import dev.ballot.engine.zab.ZabMessage.Inform;
import dev.ballot.engine.zab.ZabMessage.LeaderInfo;
import dev.ballot.engine.zab.ZabMessage.NeedSnapshot;
import dev.ballot.engine.zab.ZabMessage.NewLeader;
import dev.ballot.engine.zab.ZabMessage.Notification;
import dev.ballot.engine.zab.ZabMessage.Ping;
import dev.ballot.engine.zab.ZabMessage.PingAck;
import dev.ballot.engine.zab.ZabMessage.Propose;
import dev.ballot.engine.zab.ZabMessage.UpToDate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One ZAB member as a pure state machine: Fast Leader Election, then discovery, synchronisation and
 * broadcast, as in ZooKeeper (FastLeaderElection, Leader, Learner, LearnerHandler) and Zab.tla.
 *
 * <p><b>Election.</b> A LOOKING server proposes itself and adopts any better vote (epoch, then last
 * zxid, then server id); a higher round restarts its tally. When a quorum of voters backs its
 * proposal it waits {@code finalizeWait} ticks for a better vote, then settles. FOLLOWING and
 * LEADING servers answer a LOOKING one with their leader, so a returning server joins instead of
 * disrupting; it follows only once a quorum names the leader and the leader itself says LEADING.
 * Failover is fast because a server that loses its leader starts looking at once, and a follower
 * that hears LOOKING from its own leader stops following without waiting for a timeout.
 *
 * <p><b>Discovery.</b> The leader takes {@code max(acceptedEpoch)+1} over a quorum of FOLLOWERINFOs,
 * learners accept it (persisting acceptedEpoch) and answer ACKEPOCH with (currentEpoch, last zxid).
 * If any of them is ahead of the leader the leader gives up, so the elected history always
 * contains everything a quorum may have committed. currentEpoch and acceptedEpoch live in one
 * {@link HardState}, written atomically with the entries of the same batch.
 *
 * <p><b>Synchronisation.</b> Once a quorum acknowledged the epoch, each learner gets one NEWLEADER
 * message holding the DIFF, TRUNC or SNAP chosen by {@link SyncPlan#decide}, the entries and the
 * new epoch. The learner applies all of it in one Ready (truncate, append, new currentEpoch) and
 * its ACK leaves only after that batch is durable. This is how the known ZooKeeper sync bugs are
 * avoided: ZOOKEEPER-4394/4643 (NEWLEADER acknowledged, or uncommitted requests applied, before the
 * synced transactions were logged) cannot happen because the ACK follows the sync's persistence and
 * the learner only applies up to the commit point the leader names; ZOOKEEPER-4785 (transactions
 * received between NEWLEADER and UPTODATE lost in a side queue) cannot happen because there is no
 * side queue, every entry goes through the same Ready; ZOOKEEPER-4925 (a hole in the history
 * propagated by a later leader) cannot happen because a learner appends only entries that follow
 * its last zxid and acknowledges cumulatively, so its history has no gaps. The leader serves
 * (UPTODATE) once a quorum holds its whole initial history; that history is then committed.
 *
 * <p><b>Broadcast.</b> PROPOSAL (batched, carrying the zxid it follows), cumulative ACK, COMMIT when
 * a quorum of voters acknowledged, in zxid order; observers get committed entries by INFORM. Pings
 * every half tickTime carry the commit point and read confirmations; their answers trigger
 * retransmission, since the simulator (and a reconnecting TCP link) may lose messages.
 *
 * <p><b>Reads.</b> {@link #requestRead} records the commit point and starts a ping round; once a
 * quorum answered it (so this server was still leader after the request) the read is released.
 *
 * <p><b>Membership.</b> ADD_OBSERVER, PROMOTE, REMOVE, one at a time, as CONFIG entries that take
 * effect when appended (as Raft's single-server changes); a new change waits until the last one
 * committed, and the leader only changes the configuration once established in its epoch.
 *
 * <p><b>Leadership transfer</b> (ZooKeeper has none; this is ours, for planned restarts). The
 * leader stops accepting proposals, waits until the target has acknowledged every entry and all of
 * them are committed, then sends ELECT(target, round) to the voters and itself turns LOOKING in
 * that round voting for the target. In a round that names a designated target, the target wins ties
 * on (epoch, zxid) in place of the higher server id; epoch and zxid still come first, so safety
 * does not rest on the transfer (discovery's "ahead" check stands as always). Followers that get
 * ELECT, or hear LOOKING from their leader, join that round at once, so the target is elected after
 * one exchange of notifications plus the finalize wait, without waiting for any failure timeout.
 * If the target does not catch up within initLimit, the transfer is abandoned and proposals resume.
 *
 * <p><b>Driving it.</b> As {@link ConsensusNode} says: persist a Ready, then send, then apply, then
 * {@link #advance}; step and tick from the same thread, not between {@link #ready()} and
 * {@link #advance}. On restart, committed entries after the snapshot come out again in the first
 * Ready (the caller restores its state machine from the snapshot first). A snapshot in a Ready comes
 * with {@code truncateFrom = 0}: the log it replaces is dropped entirely.
 */
public final class ZabNode implements ConsensusNode {
    private enum LearnerPhase { REGISTERING, EPOCH_ACKED, SYNCED }

    private enum LeaderPhase { DISCOVERY, EPOCH_ACK, SYNC, BROADCAST }

    private record PendingRead(long requestId, long index, long seq) {
    }

    private final long id;
    private final ZabOptions opt;
    private final ZabLog log;
    private Membership membership;

    // durable
    private long currentEpoch;
    private long acceptedEpoch;
    private long committed;
    private long applied;

    private ServerState state = ServerState.LOOKING;
    private long leaderId;
    private boolean serving;

    // election
    private long logicalClock;
    private Vote proposal = Vote.NONE;
    private Vote currentVote = Vote.NONE;
    private long designated;
    /** The round the leader we follow was elected in (its notifications after that mean it gave up). */
    private long leaderRound;
    private final Map<Long, Vote> recvset = new TreeMap<>();
    private final Map<Long, Notification> outOfElection = new TreeMap<>();
    private final Map<Long, FollowerInfo> earlyFollowers = new TreeMap<>();
    private int finalizeLeft = -1;
    private int notifyLeft;
    /**
     * Ticks between re-sent notifications while LOOKING: like ZooKeeper's notTimeout it starts at finalizeWait and
     * doubles up to tickTime, so a vote lost while a peer was still following is re-sent quickly.
     */
    private int notifyInterval;

    // learner
    private LearnerPhase learnerPhase = LearnerPhase.REGISTERING;
    private long followEpoch = -1;
    private boolean freshEpochAck;
    private int ticksSinceLeader;
    private int ticksInPhase;
    private int resendLeft;

    // leader
    private LeaderPhase leaderPhase = LeaderPhase.DISCOVERY;
    private final Map<Long, LearnerHandle> learners = new TreeMap<>();
    private final Map<Long, Long> epochOffers = new TreeMap<>();
    private final Set<Long> epochAcks = new HashSet<>();
    private long proposedEpoch = -1;
    private long establishedZxid;
    private long counter;
    private int pingLeft;

    // reads and transfer
    private long readSeq;
    private final List<PendingRead> pendingReads = new ArrayList<>();
    private long transferTarget;
    private int transferTicks;

    // the next Ready
    private HardState savedHardState;
    private long pendingTruncate = Ready.NO_TRUNCATION;
    private final List<LogEntry> unstable = new ArrayList<>();
    private Snapshot pendingSnapshot;
    private final List<Message> outbox = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();

    private ZabNode(ZabOptions opt, PersistedState persisted) {
        this.id = opt.id();
        this.opt = opt;
        HardState hs = persisted.hardState() == null ? HardState.EMPTY : persisted.hardState();
        this.log = new ZabLog(opt.initial(), persisted.snapshot(), persisted.entries());
        this.currentEpoch = hs.term();
        this.acceptedEpoch = Math.max(hs.acceptedEpoch(), hs.term());
        this.applied = log.snapshotZxid();
        this.committed = Math.max(applied, Math.min(hs.commit(), log.lastZxid()));
        this.savedHardState = hs;
        this.membership = log.latestConfig();
        startLooking(0, 0, null);
    }

    /**
     * A member restarting from {@code persisted}. Entries up to the persisted commit point that the
     * snapshot does not cover come out again as committed in the first Ready, so the caller rebuilds
     * its state machine from the snapshot and applies them.
     */
    public static ZabNode create(ZabOptions options, PersistedState persisted) {
        return new ZabNode(options, persisted == null ? PersistedState.EMPTY : persisted);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Protocol protocol() {
        return Protocol.ZAB;
    }

    public ServerState state() {
        return state;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    public long lastZxid() {
        return log.lastZxid();
    }

    public long committedZxid() {
        return committed;
    }

    /** The election round (ZooKeeper's logicalclock). */
    public long round() {
        return logicalClock;
    }

    /** True on a leader that a quorum acknowledged in its epoch (it serves), and on its UPTODATE learners. */
    public boolean serving() {
        return serving;
    }

    /** The leader this server settled on (itself when leading), or 0 while looking. */
    public long electedLeader() {
        return state == ServerState.LOOKING ? 0 : leaderId;
    }

    /** Entries held in memory (after the snapshot), for checkers and tests. */
    public List<LogEntry> entries() {
        return log.between(log.snapshotZxid(), Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------ time

    @Override
    public void tick() {
        switch (state) {
            case LOOKING -> tickLooking();
            case FOLLOWING, OBSERVING -> tickLearner();
            case LEADING -> tickLeader();
            default -> throw new IllegalStateException("unknown state " + state);
        }
    }

    private void tickLooking() {
        if (finalizeLeft > 0 && --finalizeLeft == 0) {
            finalizeLeft = -1;
            if (tally(recvset, proposal) >= Quorum.majority(membership.voterIds().size())) {
                leaderRound = logicalClock;
                decide(proposal);
                return;
            }
        }
        if (--notifyLeft <= 0) {
            notifyInterval = Math.min(opt.tickTime(), notifyInterval * 2);
            sendNotifications();
        }
    }

    private void tickLearner() {
        ticksSinceLeader++;
        ticksInPhase++;
        boolean syncDeadline = !serving && ticksInPhase > opt.initTimeoutTicks();
        // Registering, a leader that has not answered within syncLimit is not coming: look again.
        boolean silent = ticksSinceLeader > opt.syncTimeoutTicks();
        if (syncDeadline || silent) {
            startLooking(0, 0, null);
            return;
        }
        if (--resendLeft > 0) {
            return;
        }
        if (learnerPhase == LearnerPhase.REGISTERING) {
            sendFollowerInfo();
        } else if (learnerPhase == LearnerPhase.EPOCH_ACKED) {
            send(new AckEpoch(id, leaderId, followEpoch, currentEpoch, log.lastZxid(), freshEpochAck));
            resendLeft = opt.tickTime();
        } else {
            resendLeft = Integer.MAX_VALUE;
        }
    }

    private void tickLeader() {
        ticksInPhase++;
        for (LearnerHandle l : learners.values()) {
            l.ticksSinceContact++;
            l.ticksSinceSync++;
        }
        if (leaderPhase != LeaderPhase.BROADCAST) {
            // No quorum of FOLLOWERINFOs within syncLimit means the election split (the others settled
            // on someone else); the whole sync gets initLimit, as in ZooKeeper.
            int deadline = leaderPhase == LeaderPhase.DISCOVERY
                    ? Math.min(opt.syncTimeoutTicks(), opt.initTimeoutTicks()) : opt.initTimeoutTicks();
            if (ticksInPhase > deadline) {
                startLooking(0, 0, null);
            }
            return;
        }
        if (lostQuorum()) {
            return;
        }
        if (transferTarget != 0) {
            if (++transferTicks > opt.initTimeoutTicks()) {
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
    private boolean lostQuorum() {
        Set<Long> alive = new HashSet<>();
        alive.add(id);
        for (LearnerHandle l : learners.values()) {
            if (l.synced() && l.ticksSinceContact <= opt.syncTimeoutTicks()) {
                alive.add(l.id);
            }
        }
        if (!Quorum.isMajority(membership.voterIds(), alive)) {
            startLooking(0, 0, null);
            return true;
        }
        return false;
    }

    /**
     * The transport saw the connection to {@code peerId} close. In ZooKeeper a learner notices its
     * leader's death at once (Follower.followLeader() throws on the closed socket) and a leader drops
     * the LearnerHandler of a learner whose socket closed; syncLimit is only for a peer that is alive
     * but silent. So a learner whose leader this is looks again now, as if syncLimit had expired, and
     * a leader counts that learner as timed out. A wrong hint costs at most one election: a live
     * leader answers the LOOKING server's notifications with LEADING and it rejoins, and a live
     * learner's next PING reply counts it again.
     */
    @Override
    public void peerUnreachable(long peerId) {
        if (peerId == id) {
            return;
        }
        if ((state == ServerState.FOLLOWING || state == ServerState.OBSERVING) && peerId == leaderId) {
            startLooking(0, 0, null); // tickLearner's syncLimit path
        } else if (state == ServerState.LEADING) {
            LearnerHandle l = learners.get(peerId);
            if (l != null) {
                l.ticksSinceContact = opt.syncTimeoutTicks() + 1;
                if (leaderPhase == LeaderPhase.BROADCAST) {
                    lostQuorum();
                }
            }
        }
    }

    // ------------------------------------------------------------------ messages

    @Override
    public void step(Message message) {
        if (!(message instanceof ZabMessage m) || message.to() != id || message.from() == id) {
            return;
        }
        if (m instanceof Notification n) {
            onNotification(n);
        } else if (m instanceof FollowerInfo f) {
            onFollowerInfo(f);
        } else if (m instanceof LeaderInfo li) {
            onLeaderInfo(li);
        } else if (m instanceof AckEpoch a) {
            onAckEpoch(a);
        } else if (m instanceof NewLeader nl) {
            onNewLeader(nl);
        } else if (m instanceof Ack a) {
            onAck(a);
        } else if (m instanceof UpToDate u) {
            onUpToDate(u);
        } else if (m instanceof Propose p) {
            onPropose(p);
        } else if (m instanceof Commit c) {
            onCommit(c);
        } else if (m instanceof Inform i) {
            onInform(i);
        } else if (m instanceof Ping p) {
            onPing(p);
        } else if (m instanceof PingAck p) {
            onPingAck(p);
        } else if (m instanceof NeedSnapshot s) {
            onNeedSnapshot(s);
        } else if (m instanceof Elect e) {
            onElect(e);
        }
    }

    // ------------------------------------------------------------------ election

    private Vote selfVote() {
        return new Vote(id, log.lastZxid(), currentEpoch);
    }

    private boolean beats(Vote candidate, Vote current) {
        return Vote.beats(candidate, current, designated, opt.hasMutant(ZabMutant.VOTE_IGNORES_ZXID));
    }

    private void startLooking(long round, long designatedTarget, Vote candidate) {
        state = ServerState.LOOKING;
        leaderId = 0;
        serving = false;
        learners.clear();
        epochOffers.clear();
        epochAcks.clear();
        pendingReads.clear();
        transferTarget = 0;
        currentVote = Vote.NONE;
        logicalClock = Math.max(logicalClock + 1, round);
        designated = designatedTarget;
        recvset.clear();
        outOfElection.clear();
        earlyFollowers.clear();
        finalizeLeft = -1;
        if (membership.isVoter(id)) {
            proposal = selfVote();
            if (candidate != null && beats(candidate, proposal)) {
                proposal = candidate;
            }
            recvset.put(id, proposal);
        } else {
            proposal = Vote.NONE;
        }
        // Even a server outside its own (possibly stale) configuration looks: a new member learns
        // its configuration only by joining the leader, and may already count as a voter for others.
        notifyInterval = Math.max(1, Math.min(opt.tickTime(), opt.finalizeWait()));
        sendNotifications();
        checkTermination();
    }

    private void sendNotifications() {
        notifyLeft = notifyInterval;
        for (long v : membership.voterIds()) {
            if (v != id) {
                send(notification(v, proposal, ServerState.LOOKING));
            }
        }
    }

    private Notification notification(long to, Vote vote, ServerState as) {
        return new Notification(id, to, vote.leader(), vote.zxid(), vote.epoch(), logicalClock, as, designated);
    }

    private void onNotification(Notification n) {
        if (state != ServerState.LOOKING) {
            if (n.state() != ServerState.LOOKING) {
                return;
            }
            // LOOKING from the leader we follow, in a later round than the one it was elected in:
            // it gave up (lost its quorum, or hands over), so look now instead of timing out.
            boolean myLeaderGaveUp = (state == ServerState.FOLLOWING || state == ServerState.OBSERVING)
                    && n.from() == leaderId && n.round() > leaderRound;
            // A fellow voter already gave up on the leader and we have not heard from it for half the
            // timeout either: join the election now rather than one ping interval later.
            boolean peerLostLeader = state == ServerState.FOLLOWING && n.from() != leaderId
                    && membership.isVoter(n.from()) && ticksSinceLeader * 2 >= opt.syncTimeoutTicks();
            boolean outvoted = state == ServerState.LEADING && leaderPhase == LeaderPhase.DISCOVERY
                    && n.round() == logicalClock && membership.isVoter(n.from()) && beats(n.vote(), currentVote);
            if (outvoted) {
                // We settled before a better vote of the same round reached us, and nobody can have
                // acknowledged an epoch from us yet: look again rather than wait for a quorum that
                // is going elsewhere. The next round starts from the better vote, so it converges.
                startLooking(0, n.designated(), n.vote());
            } else if (myLeaderGaveUp || peerLostLeader) {
                startLooking(n.round(), n.designated(), null);
            } else {
                send(notification(n.from(), currentVote, state));
                return;
            }
        }
        boolean senderVotes = membership.isVoter(n.from());
        if (n.state() == ServerState.LOOKING) {
            if (!senderVotes) {
                // Voters answer learners; two non-voters never answer each other (no ping-pong).
                if (membership.isVoter(id)) {
                    send(notification(n.from(), proposal, ServerState.LOOKING));
                }
                return;
            }
            if (n.round() > logicalClock) {
                logicalClock = n.round();
                recvset.clear();
                designated = n.designated();
                Vote self = membership.isVoter(id) ? selfVote() : Vote.NONE;
                proposal = beats(n.vote(), self) ? n.vote() : self;
                recvset.put(id, proposal);
                finalizeLeft = -1;
                sendNotifications();
            } else if (n.round() < logicalClock) {
                send(notification(n.from(), proposal, ServerState.LOOKING));
                return;
            } else {
                if (designated == 0 && n.designated() != 0) {
                    designated = n.designated();
                }
                if (beats(n.vote(), proposal)) {
                    proposal = n.vote();
                    recvset.put(id, proposal);
                    finalizeLeft = -1;
                    sendNotifications();
                }
            }
            recvset.put(n.from(), n.vote());
            checkTermination();
            return;
        }
        if (!senderVotes || n.state() == ServerState.OBSERVING) {
            return;
        }
        if (n.round() == logicalClock) {
            recvset.put(n.from(), n.vote());
            if (tally(recvset, n.vote()) >= Quorum.majority(membership.voterIds().size())
                    && leaderConfirmed(n.leader(), n.round())) {
                Notification fromLeader = outOfElection.get(n.leader());
                leaderRound = fromLeader != null ? fromLeader.round() : logicalClock;
                decide(n.vote());
                return;
            }
        }
        outOfElection.put(n.from(), n);
        long backers = membership.voterIds().stream()
                .filter(v -> outOfElection.containsKey(v) && outOfElection.get(v).leader() == n.leader())
                .count();
        if (backers >= Quorum.majority(membership.voterIds().size()) && leaderConfirmed(n.leader(), -1)) {
            logicalClock = Math.max(logicalClock, n.round());
            leaderRound = outOfElection.get(n.leader()).round();
            decide(n.vote());
            return;
        }
    }

    /** ZooKeeper's checkLeader: never follow a leader that has not itself said it is LEADING. */
    private boolean leaderConfirmed(long leader, long round) {
        if (leader == id) {
            return round == logicalClock;
        }
        Notification fromLeader = outOfElection.get(leader);
        return fromLeader != null && fromLeader.state() == ServerState.LEADING;
    }

    private int tally(Map<Long, Vote> votes, Vote vote) {
        int n = 0;
        for (long v : membership.voterIds()) {
            if (vote.equals(votes.get(v))) {
                n++;
            }
        }
        return n;
    }

    private void checkTermination() {
        if (!membership.isVoter(id) || state != ServerState.LOOKING) {
            return;
        }
        int voters = membership.voterIds().size();
        int backers = tally(recvset, proposal);
        if (backers < Quorum.majority(voters)) {
            finalizeLeft = -1;
            return;
        }
        if (backers == voters || opt.finalizeWait() == 0) {
            leaderRound = logicalClock;
            decide(proposal);
        } else if (finalizeLeft < 0) {
            finalizeLeft = opt.finalizeWait();
        }
    }

    private void decide(Vote vote) {
        finalizeLeft = -1;
        currentVote = vote;
        recvset.clear();
        outOfElection.clear();
        if (vote.leader() == id) {
            if (membership.isVoter(id)) {
                becomeLeader();
            }
            return;
        }
        becomeLearner(vote.leader());
    }

    // ------------------------------------------------------------------ learner side

    private void becomeLearner(long leader) {
        state = membership.isVoter(id) ? ServerState.FOLLOWING : ServerState.OBSERVING;
        leaderId = leader;
        serving = false;
        learnerPhase = LearnerPhase.REGISTERING;
        followEpoch = -1;
        ticksSinceLeader = 0;
        ticksInPhase = 0;
        sendFollowerInfo();
    }

    private void sendFollowerInfo() {
        send(new FollowerInfo(id, leaderId, acceptedEpoch, log.lastZxid(), !membership.isVoter(id)));
        resendLeft = 2;
    }

    private boolean fromMyLeader(ZabMessage m) {
        return (state == ServerState.FOLLOWING || state == ServerState.OBSERVING) && m.from() == leaderId;
    }

    private void onLeaderInfo(LeaderInfo m) {
        if (!fromMyLeader(m) || learnerPhase == LearnerPhase.SYNCED) {
            return;
        }
        ticksSinceLeader = 0;
        if (learnerPhase == LearnerPhase.EPOCH_ACKED && m.newEpoch() == followEpoch) {
            send(new AckEpoch(id, leaderId, followEpoch, currentEpoch, log.lastZxid(), freshEpochAck));
            return;
        }
        if (m.newEpoch() < acceptedEpoch) {
            // A leader behind our accepted epoch cannot gather a quorum that includes us.
            startLooking(0, 0, null);
            return;
        }
        freshEpochAck = m.newEpoch() > acceptedEpoch;
        acceptedEpoch = m.newEpoch();
        followEpoch = m.newEpoch();
        learnerPhase = LearnerPhase.EPOCH_ACKED;
        send(new AckEpoch(id, leaderId, followEpoch, currentEpoch, log.lastZxid(), freshEpochAck));
        resendLeft = opt.tickTime();
    }

    private void onNewLeader(NewLeader m) {
        if (!fromMyLeader(m) || m.epoch() != followEpoch) {
            return;
        }
        ticksSinceLeader = 0;
        if (learnerPhase == LearnerPhase.SYNCED) {
            boolean catchUpSnapshot = m.mode() == SyncPlan.Mode.SNAP && m.snapshot() != null
                    && m.snapshot().index() > log.lastZxid();
            if (!catchUpSnapshot) {
                send(new Ack(id, leaderId, currentEpoch, log.lastZxid()));
                return;
            }
        } else if (learnerPhase != LearnerPhase.EPOCH_ACKED) {
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
                if (!log.holds(m.truncateTo())) {
                    send(new NeedSnapshot(id, leaderId, followEpoch));
                    return;
                }
                if (!opt.hasMutant(ZabMutant.SKIP_TRUNC)) {
                    truncateAfter(m.truncateTo());
                }
            }
            case DIFF -> {
                if (m.prevZxid() != log.lastZxid()) {
                    // Computed from an older report of ours; the next ACKEPOCH brings a fresh one.
                    return;
                }
            }
            default -> throw new IllegalStateException("unknown sync mode " + m.mode());
        }
        appendContiguous(m.prevZxid(), m.entries());
        currentEpoch = m.epoch();
        learnerPhase = LearnerPhase.SYNCED;
        advanceCommit(m.committedZxid());
        send(new Ack(id, leaderId, currentEpoch, log.lastZxid()));
    }

    private void installSnapshot(Snapshot s) {
        log.install(s);
        unstable.clear();
        pendingTruncate = 0;
        pendingSnapshot = s;
        applied = s.index();
        committed = Math.max(committed, s.index());
        refreshMembership();
    }

    private void truncateAfter(long zxid) {
        if (log.truncateAfter(zxid) == 0) {
            return;
        }
        unstable.removeIf(e -> e.index() > zxid);
        pendingTruncate = pendingTruncate == Ready.NO_TRUNCATION ? zxid + 1 : Math.min(pendingTruncate, zxid + 1);
        committed = Math.min(committed, zxid);
        refreshMembership();
    }

    /** Appends entries that follow {@code prev}; stops at the first gap (ZOOKEEPER-4925). */
    private void appendContiguous(long prev, List<LogEntry> entries) {
        long p = prev;
        boolean config = false;
        for (LogEntry e : entries) {
            if (e.index() <= log.lastZxid()) {
                p = e.index();
                continue;
            }
            if (p != log.lastZxid() && !opt.hasMutant(ZabMutant.ACCEPT_GAPS)) {
                break;
            }
            log.append(e);
            unstable.add(e);
            p = e.index();
            config |= e.type() == EntryType.CONFIG;
        }
        if (config) {
            refreshMembership();
        }
    }

    private boolean syncedWith(ZabMessage m, long epoch) {
        return fromMyLeader(m) && learnerPhase == LearnerPhase.SYNCED && epoch == currentEpoch;
    }

    private void onPropose(Propose m) {
        acceptFromLeader(m, m.epoch(), m.prevZxid(), m.entries(), m.committedZxid());
    }

    /** Observers take the same stream as followers; their acks never count toward a quorum, only toward their lag. */
    private void onInform(Inform m) {
        acceptFromLeader(m, m.epoch(), m.prevZxid(), m.entries(), m.committedZxid());
    }

    private void acceptFromLeader(ZabMessage m, long epoch, long prevZxid, List<LogEntry> entries, long committedZxid) {
        if (!syncedWith(m, epoch)) {
            return;
        }
        ticksSinceLeader = 0;
        appendContiguous(prevZxid, entries);
        advanceCommit(committedZxid);
        send(new Ack(id, leaderId, currentEpoch, log.lastZxid()));
    }

    private void onCommit(Commit m) {
        if (syncedWith(m, m.epoch())) {
            ticksSinceLeader = 0;
            advanceCommit(m.zxid());
        }
    }

    private void onUpToDate(UpToDate m) {
        if (syncedWith(m, m.epoch())) {
            ticksSinceLeader = 0;
            serving = true;
            advanceCommit(m.committedZxid());
        }
    }

    private void onPing(Ping m) {
        if (!fromMyLeader(m) || m.epoch() != followEpoch) {
            return;
        }
        ticksSinceLeader = 0;
        if (learnerPhase != LearnerPhase.SYNCED) {
            return;
        }
        serving = true;
        advanceCommit(m.committedZxid());
        send(new PingAck(id, leaderId, followEpoch, currentEpoch, log.lastZxid(), m.readSeq()));
    }

    /** Our history is a prefix of the leader's, so whatever it committed that we hold is committed. */
    private void advanceCommit(long leaderCommitted) {
        long c = Math.min(leaderCommitted, log.lastZxid());
        if (c > committed) {
            committed = c;
        }
    }

    private void onElect(Elect m) {
        if (!fromMyLeader(m) || m.epoch() != currentEpoch) {
            return;
        }
        startLooking(m.round(), m.target(), new Vote(m.target(), m.zxid(), m.targetEpoch()));
    }

    // ------------------------------------------------------------------ leader side

    private void becomeLeader() {
        state = ServerState.LEADING;
        leaderId = id;
        serving = false;
        leaderPhase = LeaderPhase.DISCOVERY;
        learners.clear();
        epochOffers.clear();
        epochAcks.clear();
        proposedEpoch = -1;
        ticksInPhase = 0;
        epochOffers.put(id, acceptedEpoch);
        maybeProposeEpoch();
        List<FollowerInfo> early = List.copyOf(earlyFollowers.values());
        earlyFollowers.clear();
        for (FollowerInfo f : early) {
            onFollowerInfo(f);
        }
    }

    private LearnerHandle learner(long from) {
        return learners.computeIfAbsent(from, LearnerHandle::new);
    }

    private void onFollowerInfo(FollowerInfo m) {
        if (state == ServerState.LOOKING) {
            // A learner settled on us before our own finalize wait ended: keep it for becomeLeader.
            earlyFollowers.put(m.from(), m);
            return;
        }
        if (state != ServerState.LEADING || !membership.contains(m.from())) {
            return;
        }
        LearnerHandle l = learner(m.from());
        l.ticksSinceContact = 0;
        l.acceptedEpoch = m.acceptedEpoch();
        // A duplicate FOLLOWERINFO must not undo a sync; a real new session re-syncs on its ACKEPOCH.
        if (leaderPhase == LeaderPhase.DISCOVERY) {
            if (membership.isVoter(m.from())) {
                epochOffers.put(m.from(), m.acceptedEpoch());
                maybeProposeEpoch();
            }
        } else if (m.acceptedEpoch() > proposedEpoch) {
            // It promised a later epoch (to a leader that never got established) and can never join
            // ours; ZooKeeper leaves it out until the next election. Start that election now, so every
            // member gets back in.
            startLooking(0, 0, null);
        } else {
            send(new LeaderInfo(id, m.from(), proposedEpoch));
        }
    }

    private void maybeProposeEpoch() {
        if (leaderPhase != LeaderPhase.DISCOVERY || !Quorum.isMajority(membership.voterIds(), epochOffers.keySet())) {
            return;
        }
        long max = 0;
        for (long e : epochOffers.values()) {
            max = Math.max(max, e);
        }
        proposedEpoch = max + 1;
        acceptedEpoch = proposedEpoch;
        leaderPhase = LeaderPhase.EPOCH_ACK;
        epochAcks.add(id);
        for (LearnerHandle l : learners.values()) {
            send(new LeaderInfo(id, l.id, proposedEpoch));
        }
        maybeEstablishEpoch();
    }

    private void onAckEpoch(AckEpoch m) {
        if (state != ServerState.LEADING || m.epoch() != proposedEpoch || !learners.containsKey(m.from())) {
            return;
        }
        LearnerHandle l = learners.get(m.from());
        l.ticksSinceContact = 0;
        if (l.syncing()) {
            // NEWLEADER was lost, or the learner began a new session: sync it again from what it reports.
            if (l.ticksSinceSync >= opt.tickTime()) {
                l.currentEpoch = m.currentEpoch();
                l.lastZxid = m.lastZxid();
                sendSync(l);
            }
            return;
        }
        l.currentEpoch = m.currentEpoch();
        l.lastZxid = m.lastZxid();
        l.phase = LearnerHandle.Phase.EPOCH_ACKED;
        if (leaderPhase == LeaderPhase.EPOCH_ACK) {
            if (!membership.isVoter(m.from())) {
                return;
            }
            boolean ahead = m.currentEpoch() > currentEpoch
                    || (m.currentEpoch() == currentEpoch && m.lastZxid() > log.lastZxid());
            if (ahead && !opt.hasMutant(ZabMutant.VOTE_IGNORES_ZXID)) {
                // FLE chose us, but this quorum member has a later history: elect again.
                startLooking(0, 0, null);
                return;
            }
            if (m.fresh()) {
                epochAcks.add(m.from());
                maybeEstablishEpoch();
            }
        } else {
            sendSync(l);
        }
    }

    private void maybeEstablishEpoch() {
        if (leaderPhase != LeaderPhase.EPOCH_ACK || !Quorum.isMajority(membership.voterIds(), epochAcks)) {
            return;
        }
        currentEpoch = proposedEpoch;
        counter = 0;
        establishedZxid = log.lastZxid();
        leaderPhase = LeaderPhase.SYNC;
        for (LearnerHandle l : learners.values()) {
            if (l.phase == LearnerHandle.Phase.EPOCH_ACKED) {
                sendSync(l);
            }
        }
        maybeEstablish();
    }

    private void sendSync(LearnerHandle l) {
        SyncPlan plan = SyncPlan.decide(l.lastZxid, log.snapshotZxid(), log.zxids(), l.needSnapshot);
        Snapshot snap = null;
        long prev;
        switch (plan.mode()) {
            case SNAP -> {
                snap = log.snapshot() != null ? log.snapshot()
                        : new Snapshot(0, 0, log.configAt(0), new byte[0]);
                prev = snap.index();
            }
            case TRUNC -> prev = plan.truncateTo();
            default -> prev = plan.diffFrom();
        }
        List<LogEntry> entries = log.between(prev, Long.MAX_VALUE, opt.maxBatch() * 16);
        send(new NewLeader(id, l.id, currentEpoch, plan.mode(), plan.truncateTo(), snap, prev, entries, committed));
        if (!l.synced()) {
            l.phase = LearnerHandle.Phase.SYNC_SENT;
        }
        l.ticksSinceSync = 0;
        l.needSnapshot = false;
    }

    private void onNeedSnapshot(NeedSnapshot m) {
        LearnerHandle l = learners.get(m.from());
        if (state != ServerState.LEADING || l == null || m.epoch() != currentEpoch || l.synced()) {
            return;
        }
        l.ticksSinceContact = 0;
        l.needSnapshot = true;
        sendSync(l);
    }

    private void onAck(Ack m) {
        LearnerHandle l = learners.get(m.from());
        if (state != ServerState.LEADING || l == null || m.epoch() != currentEpoch || !l.syncing()) {
            return;
        }
        l.ticksSinceContact = 0;
        acknowledged(l, m.zxid());
    }

    /** The learner durably holds our history up to {@code zxid} (so it applied a NEWLEADER of this epoch). */
    private void acknowledged(LearnerHandle l, long zxid) {
        l.ackedZxid = Math.max(l.ackedZxid, zxid);
        if (l.phase == LearnerHandle.Phase.SYNC_SENT) {
            l.phase = LearnerHandle.Phase.SYNCED;
            if (leaderPhase == LeaderPhase.BROADCAST) {
                send(new UpToDate(id, l.id, currentEpoch, committed));
            }
        }
        if (leaderPhase == LeaderPhase.SYNC) {
            maybeEstablish();
        } else {
            maybeCommit();
            if (transferTarget == l.id) {
                maybeHandOff();
            }
        }
    }

    private void maybeEstablish() {
        if (leaderPhase != LeaderPhase.SYNC) {
            return;
        }
        Set<Long> holders = new HashSet<>();
        holders.add(id);
        for (LearnerHandle l : learners.values()) {
            if (l.synced() && l.ackedZxid >= establishedZxid) {
                holders.add(l.id);
            }
        }
        if (!Quorum.isMajority(membership.voterIds(), holders)) {
            return;
        }
        leaderPhase = LeaderPhase.BROADCAST;
        serving = true;
        committed = Math.max(committed, establishedZxid);
        for (LearnerHandle l : learners.values()) {
            if (l.synced()) {
                send(new UpToDate(id, l.id, currentEpoch, committed));
            }
        }
        pingLeft = opt.pingIntervalTicks();
        maybeCommit();
    }

    private void onPingAck(PingAck m) {
        LearnerHandle l = learners.get(m.from());
        if (state != ServerState.LEADING || l == null || m.epoch() != currentEpoch) {
            return;
        }
        l.ticksSinceContact = 0;
        l.readAcked = Math.max(l.readAcked, m.readSeq());
        if (l.syncing() && m.currentEpoch() == currentEpoch) {
            // Only a learner synced in this epoch answers pings; this also stands in for a lost ACK
            // of NEWLEADER (an observer gets no proposals, so it would never ACK again).
            acknowledged(l, m.lastZxid());
            if (state == ServerState.LEADING && l.synced()) {
                catchUp(l, m.lastZxid());
            }
        }
        releaseReads();
    }

    /** Resends what a synced learner lacks: proposals (followers) or committed entries (observers). */
    private void catchUp(LearnerHandle l, long learnerLast) {
        boolean observer = !membership.isVoter(l.id);
        long upTo = observer ? committed : log.lastZxid();
        if (learnerLast >= upTo) {
            return;
        }
        if (learnerLast < log.snapshotZxid() || !log.holds(learnerLast)) {
            l.needSnapshot = true;
            sendSync(l);
            return;
        }
        List<LogEntry> missing = log.between(learnerLast, upTo, opt.maxBatch());
        if (observer) {
            send(new Inform(id, l.id, currentEpoch, learnerLast, missing, committed));
        } else {
            send(new Propose(id, l.id, currentEpoch, learnerLast, missing, committed));
        }
    }

    private void pingAll() {
        pingLeft = opt.pingIntervalTicks();
        for (LearnerHandle l : learners.values()) {
            if (l.syncing()) {
                send(new Ping(id, l.id, currentEpoch, committed, readSeq));
            }
        }
    }

    private void maybeCommit() {
        if (state != ServerState.LEADING || leaderPhase != LeaderPhase.BROADCAST) {
            return;
        }
        Map<Long, Long> acks = new TreeMap<>();
        acks.put(id, log.lastZxid());
        for (LearnerHandle l : learners.values()) {
            if (l.synced()) {
                acks.put(l.id, l.ackedZxid);
            }
        }
        long q = Quorum.committedIndex(membership.voterIds(), acks);
        if (opt.hasMutant(ZabMutant.COMMIT_BEFORE_QUORUM)) {
            q = log.lastZxid();
        }
        if (q <= committed) {
            return;
        }
        long before = committed;
        committed = q;
        for (LearnerHandle l : learners.values()) {
            if (!l.synced()) {
                continue;
            }
            if (membership.isVoter(l.id)) {
                send(new Commit(id, l.id, currentEpoch, committed));
            } else {
                send(new Inform(id, l.id, currentEpoch, before, log.between(before, committed, opt.maxBatch()), committed));
            }
        }
        afterCommit(before);
    }

    private void afterCommit(long before) {
        Membership committedConfig = log.configAt(committed);
        if (log.latestConfigZxid() > before && log.latestConfigZxid() <= committed
                && !committedConfig.isVoter(id) && transferTarget == 0) {
            // This leader removed itself: hand over to the most caught-up voter.
            transferLeadership(0);
        }
    }

    // ------------------------------------------------------------------ client calls

    @Override
    public Proposal propose(byte[] command) {
        if (state != ServerState.LEADING) {
            return Proposal.notLeader(serving ? leaderId : 0);
        }
        if (leaderPhase != LeaderPhase.BROADCAST || transferTarget != 0) {
            return Proposal.busy(id);
        }
        long zxid = appendLocal(EntryType.COMMAND, command);
        return Proposal.accepted(zxid, currentEpoch);
    }

    private long appendLocal(EntryType type, byte[] data) {
        counter++;
        if (counter >= 0xffffffffL) {
            // The counter would overflow into the epoch bits: force a new epoch, as ZooKeeper does.
            startLooking(0, 0, null);
            throw new IllegalStateException("zxid counter exhausted in epoch " + currentEpoch + "; re-electing");
        }
        long zxid = Zxid.of(currentEpoch, counter);
        long prev = log.lastZxid();
        LogEntry e = new LogEntry(zxid, currentEpoch, type, data);
        log.append(e);
        unstable.add(e);
        if (type == EntryType.CONFIG) {
            refreshMembership();
        }
        for (LearnerHandle l : learners.values()) {
            if (l.syncing() && membership.isVoter(l.id)) {
                send(new Propose(id, l.id, currentEpoch, prev, List.of(e), committed));
            }
        }
        maybeCommit();
        return zxid;
    }

    @Override
    public boolean requestRead(long requestId) {
        if (state != ServerState.LEADING || leaderPhase != LeaderPhase.BROADCAST) {
            return false;
        }
        readSeq++;
        pendingReads.add(new PendingRead(requestId, committed, readSeq));
        for (LearnerHandle l : learners.values()) {
            if (l.synced() && membership.isVoter(l.id)) {
                send(new Ping(id, l.id, currentEpoch, committed, readSeq));
            }
        }
        releaseReads();
        return true;
    }

    private void releaseReads() {
        while (!pendingReads.isEmpty()) {
            PendingRead r = pendingReads.get(0);
            Set<Long> confirmed = new HashSet<>();
            confirmed.add(id);
            for (LearnerHandle l : learners.values()) {
                if (l.synced() && l.readAcked >= r.seq()) {
                    confirmed.add(l.id);
                }
            }
            if (!Quorum.isMajority(membership.voterIds(), confirmed)) {
                return;
            }
            pendingReads.remove(0);
            readStates.add(new ReadState(r.requestId(), r.index()));
        }
    }

    @Override
    public boolean transferLeadership(long target) {
        if (state != ServerState.LEADING || leaderPhase != LeaderPhase.BROADCAST) {
            return false;
        }
        if (target == id) {
            return true;
        }
        long chosen = target;
        if (chosen == 0) {
            long best = -1;
            for (LearnerHandle l : learners.values()) {
                if (l.synced() && membership.isVoter(l.id) && l.ticksSinceContact <= opt.syncTimeoutTicks()
                        && l.ackedZxid > best) {
                    best = l.ackedZxid;
                    chosen = l.id;
                }
            }
        }
        LearnerHandle l = learners.get(chosen);
        if (chosen == 0 || l == null || !l.synced() || !membership.isVoter(chosen)) {
            return false;
        }
        transferTarget = chosen;
        transferTicks = 0;
        maybeHandOff();
        return true;
    }

    /** Hands off once the target holds every entry and all of them are committed; true when done. */
    private boolean maybeHandOff() {
        LearnerHandle l = learners.get(transferTarget);
        if (l == null || !l.synced() || l.ackedZxid < log.lastZxid() || committed < log.lastZxid()) {
            return false;
        }
        long target = transferTarget;
        Vote targetVote = new Vote(target, log.lastZxid(), currentEpoch);
        long round = logicalClock + 1;
        for (long v : membership.ids()) {
            LearnerHandle h = learners.get(v);
            if (h != null && h.syncing()) {
                send(new Elect(id, v, currentEpoch, target, targetVote.zxid(), targetVote.epoch(), round));
            }
        }
        startLooking(round, target, targetVote);
        return true;
    }

    @Override
    public Proposal proposeMembership(MembershipChange change) {
        if (state != ServerState.LEADING) {
            return Proposal.notLeader(serving ? leaderId : 0);
        }
        if (leaderPhase != LeaderPhase.BROADCAST || transferTarget != 0 || log.latestConfigZxid() > committed) {
            return Proposal.busy(id);
        }
        Membership next = nextMembership(change);
        if (next.equals(membership)) {
            return Proposal.accepted(Math.max(log.latestConfigZxid(), 0), currentEpoch);
        }
        long zxid = appendLocal(EntryType.CONFIG, MembershipCodec.encode(next));
        return Proposal.accepted(zxid, currentEpoch);
    }

    private Membership nextMembership(MembershipChange change) {
        long who = change.memberId();
        Member current = membership.member(who).orElse(null);
        return switch (change.type()) {
            case ADD_OBSERVER, ADD_LEARNER -> {
                if (current != null) {
                    if (current.kind().votes()) {
                        throw new IllegalArgumentException("member " + who + " is already a voter; REMOVE it first to re-add it as an observer");
                    }
                    yield membership;
                }
                yield membership.with(new Member(who, MemberKind.OBSERVER, change.address()));
            }
            case PROMOTE -> {
                if (current == null) {
                    throw new IllegalArgumentException("member " + who + " is not in the configuration; ADD_OBSERVER it first, then PROMOTE");
                }
                yield current.kind().votes() ? membership : membership.with(current.withKind(MemberKind.VOTER));
            }
            case REMOVE -> {
                if (current == null) {
                    yield membership;
                }
                Membership without = membership.without(who);
                if (without.voterIds().isEmpty()) {
                    throw new IllegalArgumentException("removing member " + who + " would leave no voters; add and promote another member first");
                }
                yield without;
            }
        };
    }

    private void refreshMembership() {
        Membership next = log.latestConfig();
        if (next.equals(membership)) {
            return;
        }
        membership = next;
        learners.keySet().removeIf(l -> !membership.contains(l));
        if (state == ServerState.FOLLOWING && !membership.isVoter(id) && membership.contains(id)) {
            state = ServerState.OBSERVING;
        } else if (state == ServerState.OBSERVING && membership.isVoter(id)) {
            state = ServerState.FOLLOWING;
        }
    }

    // ------------------------------------------------------------------ Ready

    private HardState hardState() {
        return new HardState(currentEpoch, 0, committed, acceptedEpoch);
    }

    /**
     * The hard state to persist with the next Ready, or null. The epochs must be durable before anything that
     * depends on them leaves; the committed zxid need not be (ZooKeeper does not sync it either: a restarted
     * server learns it again in the leader's sync, and the one on disk is never ahead of the truth). So a commit
     * alone costs no fsync; it is written when proposals are written anyway.
     */
    private HardState hardStateToWrite() {
        HardState hs = hardState();
        if (hs.equals(savedHardState)) {
            return null;
        }
        return epochsUnsaved() || logUnsaved() ? hs : null;
    }

    private boolean epochsUnsaved() {
        return currentEpoch != savedHardState.term() || acceptedEpoch != savedHardState.acceptedEpoch();
    }

    /** Proposals, a truncation or a snapshot wait to be written: the next Ready writes in any case. */
    private boolean logUnsaved() {
        return !unstable.isEmpty() || pendingTruncate != Ready.NO_TRUNCATION || pendingSnapshot != null;
    }

    private void send(Message m) {
        outbox.add(m);
    }

    private List<LogEntry> toApply() {
        if (committed <= applied) {
            return List.of();
        }
        return log.between(applied, committed, Integer.MAX_VALUE);
    }

    @Override
    public boolean hasReady() {
        return epochsUnsaved() || logUnsaved() || !outbox.isEmpty() || !readStates.isEmpty()
                || (committed > applied && log.hasBetween(applied, committed));
    }

    @Override
    public Ready ready() {
        return new Ready(hardStateToWrite(), pendingTruncate, unstable, pendingSnapshot, outbox, toApply(), readStates);
    }

    @Override
    public void advance(Ready ready) {
        if (ready.hardState() != null) {
            savedHardState = ready.hardState();
        }
        if (ready.truncateFrom() == pendingTruncate) {
            pendingTruncate = Ready.NO_TRUNCATION;
        }
        if (ready.snapshot() != null && ready.snapshot() == pendingSnapshot) {
            pendingSnapshot = null;
        }
        removeSame(unstable, ready.entries());
        removeSame(outbox, ready.messages());
        removeSame(readStates, ready.readStates());
        if (!ready.committed().isEmpty()) {
            applied = Math.max(applied, ready.committed().get(ready.committed().size() - 1).index());
        }
    }

    private static <T> void removeSame(List<T> pending, List<T> done) {
        if (done.isEmpty()) {
            return;
        }
        Set<T> gone = Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(done);
        pending.removeIf(gone::contains);
    }

    @Override
    public void compact(long index, byte[] snapshotData) {
        if (index > applied || index <= log.snapshotZxid()) {
            return;
        }
        log.compact(index, snapshotData);
    }

    @Override
    public NodeStatus status() {
        List<MemberProgress> members = new ArrayList<>();
        boolean leading = state == ServerState.LEADING;
        for (Member m : membership.members()) {
            long match = -1;
            long contact = -1;
            if (leading && m.id() == id) {
                match = log.lastZxid();
                contact = 0;
            } else if (leading && learners.containsKey(m.id())) {
                LearnerHandle l = learners.get(m.id());
                match = l.ackedZxid;
                contact = l.ticksSinceContact;
            }
            members.add(new MemberProgress(m.id(), m.kind(), m.address(), match, contact));
        }
        long leader = serving ? leaderId : 0;
        return new NodeStatus(id, Protocol.ZAB, state.wireName(), currentEpoch, leader, committed, applied,
                log.lastZxid(), members);
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public String toString() {
        return "ZabNode[" + id + " " + state + " epoch=" + currentEpoch + "/" + acceptedEpoch + " last="
                + Zxid.hex(log.lastZxid()) + " committed=" + Zxid.hex(committed) + " leader=" + leaderId + "]";
    }
}
