package dev.ballot.engine.zab;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Message;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
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
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One ZAB member as a pure state machine: Fast Leader Election, then discovery, synchronisation and
 * broadcast, as in ZooKeeper (FastLeaderElection, Leader, Learner, LearnerHandler) and Zab.tla.
 *
 * <p>This class is the member's face and owns what every phase shares: its identity, log, epochs, commit point,
 * role, the leader's view of its learners, and the next {@link Ready}. Each phase lives in its own class, for both
 * the leader's and the learner's side: {@link FastLeaderElection} (votes and rounds; a server that loses its leader
 * starts looking at once, and a follower that hears LOOKING from its own leader stops following without waiting
 * for a timeout), {@link Discovery} (the new epoch; the leader gives up if a quorum member is ahead),
 * {@link Synchronisation} (one NEWLEADER with DIFF, TRUNC or SNAP, acknowledged only once durable) and
 * {@link Broadcast} (proposals, commits, pings, reads, transfer, configuration changes). currentEpoch and
 * acceptedEpoch live in one {@link HardState}, written atomically with the entries of the same batch.
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
    enum LearnerPhase { REGISTERING, EPOCH_ACKED, SYNCED }

    enum LeaderPhase { DISCOVERY, EPOCH_ACK, SYNC, BROADCAST }

    // What every phase reads and writes; package-private for the phase classes, never outside this package.
    final long id;
    final ZabOptions opt;
    final ZabLog log;
    Membership membership;
    /**
     * A configuration newer than our log's, learned from a LEADING or FOLLOWING server's notification while looking
     * ({@link ConfigGossip}), with its version; null when none. Kept in memory only: it is used until our own history
     * catches up with it, and dropped as soon as a leader synchronises us (its history, configuration included, is
     * then ours). After a restart the notifications teach it again.
     */
    private Membership learnedConfig;
    private long learnedConfigVersion;

    // durable
    long currentEpoch;
    long acceptedEpoch;
    long committed;
    long applied;

    ServerState state = ServerState.LOOKING;
    long leaderId;
    boolean serving;
    int ticksInPhase;

    // a learner's session with its leader
    LearnerPhase learnerPhase = LearnerPhase.REGISTERING;
    long followEpoch = -1;
    int ticksSinceLeader;

    // a leader's session with its learners
    LeaderPhase leaderPhase = LeaderPhase.DISCOVERY;
    final Map<Long, LearnerHandle> learners = new TreeMap<>();

    // the next Ready
    private HardState savedHardState;
    long pendingTruncate = Ready.NO_TRUNCATION;
    final List<LogEntry> unstable = new ArrayList<>();
    Snapshot pendingSnapshot;
    private final List<Message> outbox = new ArrayList<>();
    final List<ReadState> readStates = new ArrayList<>();

    final FastLeaderElection election = new FastLeaderElection(this);
    final Discovery discovery = new Discovery(this);
    final Synchronisation sync = new Synchronisation(this);
    final Broadcast broadcast = new Broadcast(this);

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
        election.startLooking(0, 0, null);
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
        return election.round();
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
            case LOOKING -> election.tick();
            case FOLLOWING, OBSERVING -> discovery.tickLearner();
            case LEADING -> tickLeader();
            default -> throw new IllegalStateException("unknown state " + state);
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
                election.startLooking(0, 0, null);
            }
            return;
        }
        broadcast.tickLeader();
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
            election.startLooking(0, 0, null); // tickLearner's syncLimit path
        } else if (state == ServerState.LEADING) {
            LearnerHandle l = learners.get(peerId);
            if (l != null) {
                l.ticksSinceContact = opt.syncTimeoutTicks() + 1;
                if (leaderPhase == LeaderPhase.BROADCAST) {
                    broadcast.lostQuorum();
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
            election.onNotification(n);
        } else if (m instanceof FollowerInfo f) {
            discovery.onFollowerInfo(f);
        } else if (m instanceof LeaderInfo li) {
            discovery.onLeaderInfo(li);
        } else if (m instanceof AckEpoch a) {
            discovery.onAckEpoch(a);
        } else if (m instanceof NewLeader nl) {
            sync.onNewLeader(nl);
        } else if (m instanceof Ack a) {
            broadcast.onAck(a);
        } else if (m instanceof UpToDate u) {
            broadcast.onUpToDate(u);
        } else if (m instanceof Propose p) {
            broadcast.onPropose(p);
        } else if (m instanceof Commit c) {
            broadcast.onCommit(c);
        } else if (m instanceof Inform i) {
            broadcast.onInform(i);
        } else if (m instanceof Ping p) {
            broadcast.onPing(p);
        } else if (m instanceof PingAck p) {
            broadcast.onPingAck(p);
        } else if (m instanceof NeedSnapshot s) {
            sync.onNeedSnapshot(s);
        } else if (m instanceof Elect e) {
            election.onElect(e);
        }
    }

    boolean fromMyLeader(ZabMessage m) {
        return (state == ServerState.FOLLOWING || state == ServerState.OBSERVING) && m.from() == leaderId;
    }

    LearnerHandle learner(long from) {
        return learners.computeIfAbsent(from, LearnerHandle::new);
    }

    // ------------------------------------------------------------------ the log, for every phase

    /** Appends entries that follow {@code prev}; stops at the first gap (ZOOKEEPER-4925). */
    void appendContiguous(long prev, List<LogEntry> entries) {
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

    /** Our history is a prefix of the leader's, so whatever it committed that we hold is committed. */
    void advanceCommit(long leaderCommitted) {
        long c = Math.min(leaderCommitted, log.lastZxid());
        if (c > committed) {
            committed = c;
        }
    }

    /** The version of the configuration in force here (ZooKeeper's QuorumVerifier version), see {@link ZabLog}. */
    long configVersion() {
        return learnedConfig != null ? learnedConfigVersion : log.configVersion();
    }

    /** Takes a newer configuration that a notification carried ({@link ConfigGossip} decided it may). */
    void learnConfig(Membership config, long version) {
        learnedConfig = config;
        learnedConfigVersion = version;
        refreshMembership();
    }

    /** A leader synchronised us: from now on our history, and the configuration in it, is the leader's. */
    void forgetLearnedConfig() {
        learnedConfig = null;
        refreshMembership();
    }

    void refreshMembership() {
        if (learnedConfig != null && log.configVersion() >= learnedConfigVersion) {
            learnedConfig = null; // our own history reached it
        }
        Membership next = learnedConfig != null ? learnedConfig : log.latestConfig();
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

    void send(Message m) {
        outbox.add(m);
    }

    // ------------------------------------------------------------------ client calls

    @Override
    public Proposal propose(byte[] command) {
        return broadcast.propose(command);
    }

    @Override
    public boolean requestRead(long requestId) {
        return broadcast.requestRead(requestId);
    }

    @Override
    public boolean transferLeadership(long target) {
        return broadcast.transferLeadership(target);
    }

    @Override
    public Proposal proposeMembership(MembershipChange change) {
        return broadcast.proposeMembership(change);
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
