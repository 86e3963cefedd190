package dev.ballot.engine.raft;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
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
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Raft member as a deterministic state machine, shaped after etcd-io/raft: {@code step} dispatches to one
 * handler per role, the leader tracks each follower's {@link Progress}, and all output leaves through
 * {@link Ready}. A configuration takes effect as soon as its entry is in the log (Raft thesis, section 4.1).
 *
 * <p>This class owns the state every role shares (term, vote, leader, log, configuration, timers, the next Ready)
 * and handles what does not depend on the role: ticks, terms in messages, role changes. Each role's step lives
 * in its own class, as etcd-io/raft's stepLeader, stepCandidate and stepFollower: {@link RaftLeader},
 * {@link RaftElection} (campaigns, candidates and every voter's answer) and {@link RaftFollower}.
 *
 * <p>{@link #advance(Ready)} must be given the Ready most recently returned by {@link #ready()}; steps may happen
 * in between. Call {@link #compact(long, byte[])} only for an index already acknowledged by advance.
 */
public final class RaftNode implements ConsensusNode {
    /** Raft roles; the wire names are NODE-API's. */
    public enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }

    // What every role reads and writes; package-private for the role classes, never outside this package.
    final RaftOptions opts;
    final long id;
    final RaftLog log;

    long term;
    long vote;
    long lead;
    Role role = Role.FOLLOWER;

    /** Configurations from CONFIG entries still in the log, by index; {@code baseMembership} is the one before them. */
    private final TreeMap<Long, Membership> configs = new TreeMap<>();
    private Membership baseMembership;
    Membership membership;
    long pendingConfIndex;

    long tickCount;
    int electionElapsed;
    int heartbeatElapsed;
    private int randomizedElectionTimeout;

    private final ArrayList<Message> outbox = new ArrayList<>();
    final ArrayList<ReadState> readStates = new ArrayList<>();
    private HardState prevHardState;
    private Ready lastReady;
    private long truncationsAtReady;

    final RaftLeader leader = new RaftLeader(this);
    final RaftElection election = new RaftElection(this);
    final RaftFollower follower = new RaftFollower(this);

    private RaftNode(RaftOptions opts, PersistedState persisted) {
        this.opts = opts;
        this.id = opts.id();
        Snapshot snap = persisted.snapshot();
        this.log = new RaftLog(snap, persisted.entries());
        this.baseMembership = snap != null && snap.membership() != null ? snap.membership() : opts.initial();
        for (long i = log.firstIndex(); i <= log.lastIndex(); i++) {
            trackConfig(log.entry(i));
        }
        recomputeMembership();
        HardState hs = persisted.hardState() == null ? HardState.EMPTY : persisted.hardState();
        this.term = hs.term();
        this.vote = hs.vote();
        log.committed = Math.min(Math.max(hs.commit(), log.snapshotIndex()), log.lastIndex());
        this.prevHardState = hs;
        becomeFollower(term, 0);
    }

    /** A member starting from {@code persisted} ({@link PersistedState#EMPTY} for a fresh start with the initial membership). */
    public static RaftNode create(RaftOptions options, PersistedState persisted) {
        return new RaftNode(options, persisted == null ? PersistedState.EMPTY : persisted);
    }

    // ---------------------------------------------------------------- inspection (status, simulator checks)

    @Override
    public long id() {
        return id;
    }

    @Override
    public Protocol protocol() {
        return Protocol.RAFT;
    }

    public Role role() {
        return role;
    }

    public long currentTerm() {
        return term;
    }

    public long votedFor() {
        return vote;
    }

    public long leaderId() {
        return lead;
    }

    public boolean isLeader() {
        return role == Role.LEADER;
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long commitIndex() {
        return log.committed;
    }

    public long appliedIndex() {
        return log.applied;
    }

    public long snapshotIndex() {
        return log.snapshotIndex();
    }

    /** The term of the entry at {@code index}, or -1 when compacted or absent. */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The latest snapshot (taken here or received), or null. */
    public Snapshot snapshot() {
        return log.snapshot();
    }

    public RaftOptions options() {
        return opts;
    }

    @Override
    public Membership membership() {
        return membership;
    }

    @Override
    public NodeStatus status() {
        List<MemberProgress> members = new ArrayList<>();
        for (Member m : membership.members()) {
            long match = -1;
            long since = -1;
            if (role == Role.LEADER) {
                Progress pr = leader.progress.get(m.id());
                if (m.id() == id) {
                    match = log.lastIndex();
                    since = 0;
                } else if (pr != null) {
                    match = pr.match;
                    since = tickCount - pr.lastContactTick;
                }
            }
            members.add(new MemberProgress(m.id(), m.kind(), m.address(), match, since));
        }
        return new NodeStatus(id, Protocol.RAFT, wireRole(), term, lead, log.committed, log.applied,
                log.lastIndex(), members);
    }

    private String wireRole() {
        return switch (role) {
            case LEADER -> "leader";
            case CANDIDATE -> "candidate";
            case PRE_CANDIDATE -> "precandidate";
            case FOLLOWER -> membership.member(id).map(m -> m.kind() == MemberKind.LEARNER).orElse(false)
                    ? "learner" : "follower";
        };
    }

    // ---------------------------------------------------------------- time

    @Override
    public void tick() {
        tickCount++;
        if (role == Role.LEADER) {
            leader.tick();
        } else {
            electionElapsed++;
            if (promotable() && electionElapsed >= electionTimeout()) {
                electionElapsed = 0;
                election.hup(false);
            } else if (role != Role.FOLLOWER && electionElapsed % opts.heartbeatTicks() == 0) {
                election.resendVoteRequests();
            } else if (!promotable() && lead != 0 && electionElapsed >= opts.electionTicksMax()) {
                // A learner never campaigns, so nothing else would clear a dead leader from its status.
                lead = 0;
            }
        }
    }

    boolean promotable() {
        return membership.isVoter(id);
    }

    /**
     * The ticks of leader silence after which this voter campaigns: its random draw, or for its leader's successor
     * one tick after the lease. A leader that hangs (a frozen process, a lost machine, a partition) gives no hint, so
     * its followers each wait out their own timeout; with every draw uniform in [min, max], the first of two
     * followers fires at min + (max - min) / 3 at the median and near max at p99. The successor, known to every
     * member without a message (see {@link #isSuccessor}), fires at min + 1 instead: the lease every other follower
     * holds lasts min ticks from the same last heartbeat, so its pre-vote is not taken for a disruptive one, and
     * on a 10 ms tick a one-tick margin also covers the followers' tick phases. The others keep their full random
     * draw, so a successor that is down, lagging or cut off costs no more than before, and timeouts only decide
     * liveness: the votes keep every safety check.
     */
    int electionTimeout() {
        return isSuccessor() ? Math.min(randomizedElectionTimeout, opts.electionTicksMin() + 1)
                : randomizedElectionTimeout;
    }

    /**
     * True for a follower that is its leader's successor: of the voters other than the leader, the one with the
     * highest id (the id the rival pre-candidate rule already prefers between equal logs). Every member computes
     * it alike from the membership and the leader's id, so naming it needs no message and no wire change.
     */
    boolean isSuccessor() {
        if (role != Role.FOLLOWER || lead == 0 || lead == id || !promotable()) {
            return false;
        }
        long successor = 0;
        for (long voter : membership.voterIds()) {
            if (voter != lead) {
                successor = Math.max(successor, voter);
            }
        }
        return successor == id;
    }

    // ---------------------------------------------------------------- role changes

    private void reset(long newTerm) {
        if (newTerm != term) {
            term = newTerm;
            vote = 0;
        }
        lead = 0;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        int spread = opts.electionTicksMax() - opts.electionTicksMin() + 1;
        randomizedElectionTimeout = opts.electionTicksMin() + opts.random().nextInt(spread);
        election.forgetVotes();
        leader.reset();
    }

    void becomeFollower(long newTerm, long leader) {
        reset(newTerm);
        lead = leader;
        role = Role.FOLLOWER;
    }

    void becomePreCandidate() {
        // A pre-candidate keeps its term and vote: the rehearsal must not disturb anyone.
        election.forgetVotes();
        lead = 0;
        role = Role.PRE_CANDIDATE;
    }

    void becomeCandidate() {
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
    }

    void becomeLeader() {
        reset(term);
        lead = id;
        role = Role.LEADER;
        leader.start();
    }

    // ---------------------------------------------------------------- messages

    /**
     * Our leader's connection closed: its process most likely died (a killed process's sockets close at
     * once; a lost machine gives no such hint and leaves only the election timeout). Waiting out a full
     * random timeout of 150-300 ms for a leader that is gone is the largest part of a failover, so its
     * lease ends now and our timer fires within one heartbeat interval, at a random tick so that the
     * followers who all heard the same hint do not all campaign at once (the rival pre-candidate rule
     * settles those that still do). A wrong hint costs nothing: pre-vote keeps us from disturbing a live
     * leader (the other voters still hold its lease), and its next heartbeat makes us follow it again.
     */
    @Override
    public void peerUnreachable(long peerId) {
        if (role != Role.FOLLOWER || peerId != lead || peerId == id) {
            return;
        }
        lead = 0;
        if (promotable()) {
            int soon = electionElapsed + 1 + opts.random().nextInt(opts.heartbeatTicks());
            randomizedElectionTimeout = Math.min(randomizedElectionTimeout, soon);
        }
    }

    @Override
    public void step(Message message) {
        if (!(message instanceof RaftMessage m)) {
            throw new IllegalArgumentException("not a Raft message: " + message);
        }
        if (m.to() != id || m.from() == id) {
            return;
        }
        if (m.term() > term) {
            if (m instanceof RequestVote rv) {
                boolean inLease = opts.checkQuorum() && lead != 0 && electionElapsed < opts.electionTicksMin();
                if (!rv.transfer() && inLease) {
                    // We heard from a live leader recently: a disruptive candidate must not depose it.
                    return;
                }
            }
            if (m instanceof RequestVote rv && rv.preVote()) {
                // Never change our term in answer to a rehearsal.
            } else if (m instanceof VoteResponse vr && vr.preVote() && vr.granted()) {
                // Granted pre-votes carry the term we would campaign in.
            } else if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), 0);
            }
        } else if (m.term() < term) {
            if ((opts.checkQuorum() || opts.preVote()) && (m instanceof Heartbeat || m instanceof AppendEntries)) {
                // A deposed leader cut off from us: tell it our term so it steps down.
                send(new AppendResponse(id, m.from(), term, true, 0, 0, 0));
            } else if (m instanceof RequestVote rv && rv.preVote()) {
                send(new VoteResponse(id, m.from(), term, true, false));
            }
            return;
        }
        if (m instanceof RequestVote rv) {
            election.handleVoteRequest(rv);
            return;
        }
        switch (role) {
            case LEADER -> leader.step(m);
            case CANDIDATE, PRE_CANDIDATE -> election.stepCandidate(m);
            case FOLLOWER -> follower.step(m);
        }
    }

    void appendReceived(LogEntry e) {
        log.append(e);
        if (trackConfig(e)) {
            recomputeMembership();
        }
    }

    void appendEntry(EntryType type, byte[] data) {
        LogEntry e = new LogEntry(log.lastIndex() + 1, term, type, data);
        log.append(e);
    }

    void send(RaftMessage m) {
        outbox.add(m);
    }

    // ---------------------------------------------------------------- client calls

    @Override
    public Proposal propose(byte[] command) {
        return role == Role.LEADER ? leader.propose(command) : Proposal.notLeader(lead);
    }

    @Override
    public boolean requestRead(long requestId) {
        return role == Role.LEADER && leader.requestRead(requestId);
    }

    @Override
    public boolean transferLeadership(long target) {
        return role == Role.LEADER && leader.transferLeadership(target);
    }

    /** The leader a transfer is handing over to, or 0. */
    public long transferee() {
        return leader.transferee();
    }

    @Override
    public Proposal proposeMembership(MembershipChange change) {
        return role == Role.LEADER ? leader.proposeMembership(change) : Proposal.notLeader(lead);
    }

    // ---------------------------------------------------------------- configuration tracking

    private boolean trackConfig(LogEntry e) {
        if (e.type() != EntryType.CONFIG) {
            return false;
        }
        try {
            configs.put(e.index(), MembershipCodec.decode(e.data()));
            return true;
        } catch (MalformedMessageException ex) {
            // Every replica skips the same bad bytes, so configurations stay identical.
            return false;
        }
    }

    /** A CONFIG entry the leader appended: it takes effect at once. */
    void configAppended(long index, Membership next) {
        configs.put(index, next);
        recomputeMembership();
    }

    /** The log was truncated from {@code index}: configurations from there on are gone. */
    void forgetConfigsFrom(long index) {
        configs.tailMap(index, true).clear();
        recomputeMembership();
    }

    /** A snapshot replaced the log: its configuration is the base again. */
    void restartConfigsFrom(Snapshot s) {
        configs.clear();
        baseMembership = s.membership();
        recomputeMembership();
    }

    private Membership membershipAt(long index) {
        Map.Entry<Long, Membership> e = configs.floorEntry(index);
        return e != null ? e.getValue() : baseMembership;
    }

    private void recomputeMembership() {
        membership = configs.isEmpty() ? baseMembership : configs.lastEntry().getValue();
        if (role == Role.LEADER) {
            leader.membershipChanged();
        }
    }

    // ---------------------------------------------------------------- Ready / advance

    /**
     * The hard state to persist with the next Ready, or null. Term and vote must be durable before any message
     * that depends on them leaves. The commit index need not be (Raft keeps it in volatile state; after a restart
     * the leader tells it again, and the one on disk is never ahead of the truth), so a change of it alone costs no
     * fsync: it is written when entries are written anyway. Without this every commit cost every member one more
     * fsync, on the leader between the quorum's acknowledgement and the client's answer.
     */
    private HardState hardStateToWrite() {
        HardState hs = hardState();
        if (hs.equals(prevHardState)) {
            return null;
        }
        return termOrVoteUnsaved() || logUnsaved() ? hs : null;
    }

    private boolean termOrVoteUnsaved() {
        return term != prevHardState.term() || vote != prevHardState.vote();
    }

    /** Entries, a truncation or a snapshot wait to be written: the next Ready writes in any case. */
    private boolean logUnsaved() {
        return log.stableLast < log.lastIndex() || log.pendingTruncate != Ready.NO_TRUNCATION
                || log.pendingSnapshot != null;
    }

    private HardState hardState() {
        return new HardState(term, vote, log.committed, 0);
    }

    @Override
    public boolean hasReady() {
        return termOrVoteUnsaved() || logUnsaved() || !outbox.isEmpty() || !readStates.isEmpty()
                || log.hasUnappliedCommitted() || leader.appendsPending();
    }

    @Override
    public Ready ready() {
        leader.flushAppends();
        HardState hs = hardStateToWrite();
        List<LogEntry> unstable = log.unstableEntries();
        boolean messagesFirst = role == Role.LEADER && !termOrVoteUnsaved() && log.pendingTruncate == Ready.NO_TRUNCATION
                && log.pendingSnapshot == null;
        Ready r = new Ready(hs, log.pendingTruncate, unstable, log.pendingSnapshot,
                outbox, log.committedToApply(), readStates, messagesFirst);
        log.offeredLast = Math.max(log.offeredLast, log.lastIndex());
        lastReady = r;
        truncationsAtReady = log.truncations;
        return r;
    }

    @Override
    public void advance(Ready ready) {
        if (ready != lastReady) {
            throw new IllegalStateException("advance() takes the Ready most recently returned by ready()");
        }
        lastReady = null;
        if (ready.hardState() != null) {
            prevHardState = ready.hardState();
        }
        if (ready.truncateFrom() != Ready.NO_TRUNCATION && log.truncations == truncationsAtReady) {
            log.pendingTruncate = Ready.NO_TRUNCATION;
        }
        if (ready.snapshot() != null && ready.snapshot() == log.pendingSnapshot) {
            log.pendingSnapshot = null;
            log.applied = Math.max(log.applied, ready.snapshot().index());
        }
        if (!ready.entries().isEmpty()) {
            LogEntry last = ready.entries().get(ready.entries().size() - 1);
            if (log.term(last.index()) == last.term()) {
                log.stableLast = Math.max(log.stableLast, last.index());
            }
        }
        if (!ready.committed().isEmpty()) {
            log.applied = Math.max(log.applied, ready.committed().get(ready.committed().size() - 1).index());
        }
        outbox.subList(0, ready.messages().size()).clear();
        readStates.subList(0, ready.readStates().size()).clear();
        if (leader.maybeCommit() && role == Role.LEADER) {
            leader.scheduleAppends();
        }
    }

    @Override
    public void compact(long index, byte[] snapshotData) {
        if (index <= log.snapshotIndex()) {
            return;
        }
        if (index > log.applied) {
            throw new IllegalArgumentException("cannot compact at " + index + ": only " + log.applied
                    + " is applied (call compact after advance)");
        }
        Snapshot taken = new Snapshot(index, log.term(index), membershipAt(index), snapshotData);
        baseMembership = membershipAt(index);
        configs.headMap(index, true).clear();
        log.compact(taken);
    }
}
