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
import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.HeartbeatResponse;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.TimeoutNow;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One Raft member as a deterministic state machine, shaped after etcd-io/raft: {@code step} dispatches to one
 * handler per role, the leader tracks each follower's {@link Progress}, and all output leaves through
 * {@link Ready}. A configuration takes effect as soon as its entry is in the log (Raft thesis, section 4.1).
 *
 * <p>{@link #advance(Ready)} must be given the Ready most recently returned by {@link #ready()}; steps may happen
 * in between. Call {@link #compact(long, byte[])} only for an index already acknowledged by advance.
 */
public final class RaftNode implements ConsensusNode {
    /** Raft roles; the wire names are NODE-API's. */
    public enum Role { FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER }

    private record PendingRead(long requestId, long index, long context, Set<Long> acks) {
    }

    private final RaftOptions opts;
    private final long id;
    private final RaftLog log;

    private long term;
    private long vote;
    private long lead;
    private Role role = Role.FOLLOWER;

    /** Configurations from CONFIG entries still in the log, by index; {@code baseMembership} is the one before them. */
    private final TreeMap<Long, Membership> configs = new TreeMap<>();
    private Membership baseMembership;
    private Membership membership;
    private long pendingConfIndex;

    private long tickCount;
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;

    private final TreeMap<Long, Progress> progress = new TreeMap<>();
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();
    private long leadTransferee;
    /** Whether the campaign under way was started by TimeoutNow; its re-sent requests must say so again. */
    private boolean campaignTransfer;

    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final List<Long> readsAwaitingTermCommit = new ArrayList<>();
    private long readContext;

    private final ArrayList<Message> outbox = new ArrayList<>();
    private final ArrayList<ReadState> readStates = new ArrayList<>();
    private HardState prevHardState;
    private Ready lastReady;
    private long truncationsAtReady;

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
                Progress pr = progress.get(m.id());
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
            tickLeader();
        } else {
            electionElapsed++;
            if (promotable() && electionElapsed >= randomizedElectionTimeout) {
                electionElapsed = 0;
                hup(false);
            } else if (role != Role.FOLLOWER && electionElapsed % opts.heartbeatTicks() == 0) {
                resendVoteRequests();
            } else if (!promotable() && lead != 0 && electionElapsed >= opts.electionTicksMax()) {
                // A learner never campaigns, so nothing else would clear a dead leader from its status.
                lead = 0;
            }
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= opts.electionTicksMin()) {
            electionElapsed = 0;
            if (opts.checkQuorum() && !quorumActive()) {
                becomeFollower(term, 0);
                return;
            }
            for (Progress pr : progress.values()) {
                pr.recentActive = false;
            }
            if (leadTransferee != 0) {
                leadTransferee = 0;
            }
        }
        if (heartbeatElapsed >= opts.heartbeatTicks()) {
            heartbeatElapsed = 0;
            bcastHeartbeat(pendingReads.isEmpty() ? 0 : pendingReads.peekLast().context());
        }
    }

    private boolean quorumActive() {
        Set<Long> active = new HashSet<>();
        active.add(id);
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getValue().recentActive) {
                active.add(e.getKey());
            }
        }
        return Quorum.isMajority(membership.voterIds(), active);
    }

    private boolean promotable() {
        return membership.isVoter(id);
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
        leadTransferee = 0;
        votes.clear();
        progress.clear();
        pendingReads.clear();
        readsAwaitingTermCommit.clear();
    }

    private void becomeFollower(long newTerm, long leader) {
        reset(newTerm);
        lead = leader;
        role = Role.FOLLOWER;
    }

    private void becomePreCandidate() {
        // A pre-candidate keeps its term and vote: the rehearsal must not disturb anyone.
        votes.clear();
        lead = 0;
        role = Role.PRE_CANDIDATE;
    }

    private void becomeCandidate() {
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
    }

    private void becomeLeader() {
        reset(term);
        lead = id;
        role = Role.LEADER;
        for (Member m : membership.members()) {
            if (m.id() != id) {
                progress.put(m.id(), newProgress());
            }
        }
        if (!opts.hasMutant(RaftMutant.COMMIT_OLD_TERM_BY_COUNT)) {
            appendEntry(EntryType.NOOP, new byte[0]);
        }
        // The log may hold uncommitted configuration entries; no new change until all of it commits.
        pendingConfIndex = log.lastIndex();
        bcastAppend();
        maybeCommit();
    }

    private Progress newProgress() {
        Progress pr = new Progress(log.lastIndex() + 1, opts.maxInflight(), tickCount);
        pr.recentActive = true;
        return pr;
    }

    private void hup(boolean transfer) {
        if (role == Role.LEADER || !promotable()) {
            return;
        }
        campaign(opts.preVote() && !transfer, transfer);
    }

    private void campaign(boolean pre, boolean transfer) {
        long voteTerm;
        if (pre) {
            becomePreCandidate();
            voteTerm = term + 1;
        } else {
            becomeCandidate();
            voteTerm = term;
        }
        if (poll(id, true) == VoteResult.WON) {
            if (pre) {
                campaign(false, transfer);
            } else {
                becomeLeader();
            }
            return;
        }
        campaignTransfer = transfer;
        for (long voter : membership.voterIds()) {
            if (voter != id) {
                send(new RequestVote(id, voter, voteTerm, log.lastIndex(), log.lastTerm(), pre, transfer));
            }
        }
    }

    /**
     * A voter still inside its leader's lease drops a pre-vote request without answering; when its lease
     * runs out a few milliseconds later, nothing asks it again, and the campaign waits a whole new random
     * timeout (the slowest failovers in the 3-node demo). Asking the silent voters again every heartbeat
     * ends that wait. Requests are idempotent: a voter grants the same candidate again in the same term.
     */
    private void resendVoteRequests() {
        boolean pre = role == Role.PRE_CANDIDATE;
        long voteTerm = pre ? term + 1 : term;
        for (long voter : membership.voterIds()) {
            if (voter != id && !votes.containsKey(voter)) {
                send(new RequestVote(id, voter, voteTerm, log.lastIndex(), log.lastTerm(), pre, campaignTransfer));
            }
        }
    }

    private enum VoteResult { PENDING, WON, LOST }

    private VoteResult poll(long from, boolean granted) {
        if (membership.isVoter(from)) {
            votes.putIfAbsent(from, granted);
        }
        List<Long> voters = membership.voterIds();
        List<Long> yes = new ArrayList<>();
        List<Long> no = new ArrayList<>();
        votes.forEach((v, g) -> (g ? yes : no).add(v));
        if (Quorum.isMajority(voters, yes)) {
            return VoteResult.WON;
        }
        if (Quorum.isMajority(voters, no)) {
            return VoteResult.LOST;
        }
        return VoteResult.PENDING;
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
            handleVoteRequest(rv);
            return;
        }
        switch (role) {
            case LEADER -> stepLeader(m);
            case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
            case FOLLOWER -> stepFollower(m);
        }
    }

    /**
     * Two followers whose timers fire within one round trip would grant each other's pre-votes, both
     * campaign in the same term, vote for themselves and split the vote: a whole extra random timeout
     * (about 40% of slow failovers in the 3-node demo). Between such rivals the more up-to-date log goes
     * on, and on equal logs the higher id; the other grants and stands down. Pre-votes decide nothing
     * (real votes keep every check), so this changes liveness only.
     */
    private void answerRivalPreCandidate(RequestVote rv) {
        boolean theirsAtLeastAsGood = log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
        boolean equalLogs = rv.lastLogIndex() == log.lastIndex() && rv.lastLogTerm() == log.lastTerm();
        if (!theirsAtLeastAsGood || equalLogs && rv.from() < id) {
            send(new VoteResponse(id, rv.from(), term, true, false));
            return;
        }
        send(new VoteResponse(id, rv.from(), rv.term(), true, true));
        becomeFollower(term, 0);
    }

    private void handleVoteRequest(RequestVote rv) {
        if (rv.preVote() && role == Role.PRE_CANDIDATE && !rv.transfer()) {
            answerRivalPreCandidate(rv);
            return;
        }
        boolean canVote = vote == rv.from() || (vote == 0 && lead == 0) || (rv.preVote() && rv.term() > term);
        if (opts.hasMutant(RaftMutant.VOTE_TWICE_IN_TERM) && !rv.preVote()) {
            canVote = lead == 0 || vote == rv.from();
        }
        boolean upToDate = opts.hasMutant(RaftMutant.VOTE_WITHOUT_LOG_CHECK)
                || log.isUpToDate(rv.lastLogIndex(), rv.lastLogTerm());
        if (canVote && upToDate) {
            send(new VoteResponse(id, rv.from(), rv.term(), rv.preVote(), true));
            if (!rv.preVote()) {
                electionElapsed = 0;
                vote = rv.from();
            }
        } else {
            send(new VoteResponse(id, rv.from(), term, rv.preVote(), false));
        }
    }

    private void stepFollower(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            electionElapsed = 0;
            lead = ae.from();
            handleAppend(ae);
        } else if (m instanceof Heartbeat hb) {
            electionElapsed = 0;
            lead = hb.from();
            handleHeartbeat(hb);
        } else if (m instanceof InstallSnapshot is) {
            electionElapsed = 0;
            lead = is.from();
            handleSnapshot(is);
        } else if (m instanceof TimeoutNow) {
            hup(true);
        }
    }

    private void stepCandidate(RaftMessage m) {
        if (m instanceof AppendEntries ae) {
            becomeFollower(term, ae.from());
            handleAppend(ae);
        } else if (m instanceof Heartbeat hb) {
            becomeFollower(term, hb.from());
            handleHeartbeat(hb);
        } else if (m instanceof InstallSnapshot is) {
            becomeFollower(term, is.from());
            handleSnapshot(is);
        } else if (m instanceof VoteResponse vr) {
            if (vr.preVote() != (role == Role.PRE_CANDIDATE)) {
                return;
            }
            VoteResult result = poll(vr.from(), vr.granted());
            if (result == VoteResult.WON) {
                if (role == Role.PRE_CANDIDATE) {
                    campaign(false, false);
                } else {
                    becomeLeader();
                }
            } else if (result == VoteResult.LOST) {
                becomeFollower(term, 0);
            }
        }
    }

    private void stepLeader(RaftMessage m) {
        if (m instanceof AppendResponse ar) {
            handleAppendResponse(ar);
        } else if (m instanceof HeartbeatResponse hr) {
            handleHeartbeatResponse(hr);
        }
    }

    // ---------------------------------------------------------------- follower side

    private void handleAppend(AppendEntries ae) {
        if (ae.prevIndex() < log.committed) {
            send(new AppendResponse(id, ae.from(), term, false, log.committed, 0, 0));
            return;
        }
        long lastNew = maybeAppend(ae);
        if (lastNew >= 0) {
            send(new AppendResponse(id, ae.from(), term, false, lastNew, 0, 0));
        } else {
            long hint = log.findConflictByTerm(Math.min(ae.prevIndex(), log.lastIndex()), ae.prevTerm());
            send(new AppendResponse(id, ae.from(), term, true, ae.prevIndex(), hint, Math.max(0, log.term(hint))));
        }
    }

    private long maybeAppend(AppendEntries ae) {
        if (!log.matchTerm(ae.prevIndex(), ae.prevTerm())) {
            return -1;
        }
        List<LogEntry> incoming = ae.entries();
        long lastNew = ae.prevIndex() + incoming.size();
        if (opts.hasMutant(RaftMutant.NO_TRUNCATE_ON_CONFLICT)) {
            for (LogEntry e : incoming) {
                if (e.index() > log.lastIndex()) {
                    appendReceived(e);
                }
            }
        } else {
            long conflict = log.findConflict(incoming);
            if (conflict != 0) {
                if (conflict <= log.committed) {
                    throw new IllegalStateException("node " + id + ": entry " + conflict
                            + " conflicts with a committed entry (commit " + log.committed + ")");
                }
                if (conflict <= log.lastIndex()) {
                    log.truncateFrom(conflict);
                    configs.tailMap(conflict, true).clear();
                    recomputeMembership();
                }
                for (LogEntry e : incoming) {
                    if (e.index() >= conflict) {
                        appendReceived(e);
                    }
                }
            }
        }
        log.commitTo(Math.min(ae.commit(), lastNew));
        return lastNew;
    }

    private void appendReceived(LogEntry e) {
        log.append(e);
        if (trackConfig(e)) {
            recomputeMembership();
        }
    }

    private void handleHeartbeat(Heartbeat hb) {
        log.commitTo(hb.commit());
        send(new HeartbeatResponse(id, hb.from(), term, hb.context()));
    }

    private void handleSnapshot(InstallSnapshot is) {
        Snapshot s = is.snapshot();
        if (s.index() <= log.committed) {
            send(new AppendResponse(id, is.from(), term, false, log.committed, 0, 0));
            return;
        }
        if (log.matchTerm(s.index(), s.term())) {
            // We already hold this prefix: just learn that it is committed.
            log.commitTo(s.index());
            send(new AppendResponse(id, is.from(), term, false, log.committed, 0, 0));
            return;
        }
        log.restore(s);
        configs.clear();
        baseMembership = s.membership();
        recomputeMembership();
        send(new AppendResponse(id, is.from(), term, false, s.index(), 0, 0));
    }

    // ---------------------------------------------------------------- leader side

    private void handleAppendResponse(AppendResponse ar) {
        Progress pr = progress.get(ar.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        pr.lastContactTick = tickCount;
        if (ar.reject()) {
            long nextProbe = ar.rejectHint();
            if (ar.hintTerm() > 0) {
                nextProbe = log.findConflictByTerm(ar.rejectHint(), ar.hintTerm());
            }
            if (pr.maybeDecrTo(ar.index(), nextProbe)) {
                if (pr.state == Progress.State.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(ar.from(), true);
            }
            return;
        }
        boolean wasPaused = pr.isPaused();
        if (!pr.maybeUpdate(ar.index())) {
            return;
        }
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.inflights.freeLE(ar.index());
        }
        if (maybeCommit()) {
            if (role != Role.LEADER) {
                return;
            }
            bcastAppend();
        } else if (wasPaused) {
            sendAppend(ar.from(), true);
        }
        while (sendAppend(ar.from(), false)) {
            // stream until caught up or the in-flight window is full
        }
        if (ar.from() == leadTransferee && pr.match == log.lastIndex()) {
            send(new TimeoutNow(id, ar.from(), term));
        }
    }

    private void handleHeartbeatResponse(HeartbeatResponse hr) {
        Progress pr = progress.get(hr.from());
        if (pr == null) {
            return;
        }
        pr.recentActive = true;
        pr.lastContactTick = tickCount;
        pr.probeSent = false;
        if (pr.state == Progress.State.REPLICATE && pr.inflights.full()) {
            // Appends may have been lost; make room so the follower's rejection can reach us.
            pr.inflights.reset();
        }
        if (pr.state == Progress.State.SNAPSHOT && tickCount - pr.snapshotSentTick >= opts.electionTicksMin()) {
            pr.becomeProbe();
        }
        if (pr.match < log.lastIndex()) {
            sendAppend(hr.from(), true);
        }
        if (hr.context() != 0) {
            ackRead(hr.from(), hr.context());
        }
    }

    private boolean sendAppend(long to, boolean sendIfEmpty) {
        Progress pr = progress.get(to);
        if (pr == null || pr.isPaused()) {
            return false;
        }
        if (pr.next > log.lastIndex() + 1) {
            pr.next = log.lastIndex() + 1;
        }
        long prevIndex = pr.next - 1;
        long prevTerm = log.term(prevIndex);
        if (prevTerm < 0) {
            return sendSnapshot(to, pr);
        }
        List<LogEntry> entries = log.slice(pr.next, Math.min(log.lastIndex() + 1, pr.next + opts.maxEntriesPerMessage()));
        if (entries.isEmpty() && !sendIfEmpty) {
            return false;
        }
        send(new AppendEntries(id, to, term, prevIndex, prevTerm, log.committed, entries));
        pr.sentEntries(entries.size(), entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).index());
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        Snapshot s = log.snapshot();
        if (s == null || !pr.recentActive) {
            return false;
        }
        pr.becomeSnapshot(s.index(), tickCount);
        send(new InstallSnapshot(id, to, term, s));
        return true;
    }

    private void bcastAppend() {
        for (long to : List.copyOf(progress.keySet())) {
            sendAppend(to, true);
        }
    }

    private void bcastHeartbeat(long context) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            long commit = Math.min(e.getValue().match, log.committed);
            send(new Heartbeat(id, e.getKey(), term, commit, context));
        }
    }

    /** Advance the commit index to what a majority of voters holds, if that entry is of our term. */
    private boolean maybeCommit() {
        if (role != Role.LEADER) {
            return false;
        }
        Map<Long, Long> match = new TreeMap<>();
        match.put(id, log.stableLast);
        progress.forEach((k, pr) -> match.put(k, pr.match));
        long mci = Quorum.committedIndex(membership.voterIds(), match);
        if (mci <= log.committed) {
            return false;
        }
        if (log.term(mci) != term && !opts.hasMutant(RaftMutant.COMMIT_OLD_TERM_BY_COUNT)) {
            return false;
        }
        log.commitTo(mci);
        afterLeaderCommit();
        return true;
    }

    private void afterLeaderCommit() {
        if (!readsAwaitingTermCommit.isEmpty() && log.term(log.committed) == term) {
            List<Long> waiting = List.copyOf(readsAwaitingTermCommit);
            readsAwaitingTermCommit.clear();
            startReads(waiting);
        }
        if (!membership.isVoter(id) && log.committed >= pendingConfIndex) {
            // The configuration that removed us is committed: hand over by stepping down.
            becomeFollower(term, 0);
        }
    }

    private void appendEntry(EntryType type, byte[] data) {
        LogEntry e = new LogEntry(log.lastIndex() + 1, term, type, data);
        log.append(e);
    }

    private void send(RaftMessage m) {
        outbox.add(m);
    }

    // ---------------------------------------------------------------- client calls

    @Override
    public Proposal propose(byte[] command) {
        if (role != Role.LEADER) {
            return Proposal.notLeader(lead);
        }
        if (leadTransferee != 0) {
            return Proposal.busy(id);
        }
        appendEntry(EntryType.COMMAND, command);
        bcastAppend();
        return Proposal.accepted(log.lastIndex(), term);
    }

    @Override
    public boolean requestRead(long requestId) {
        if (role != Role.LEADER) {
            return false;
        }
        if (opts.hasMutant(RaftMutant.READ_WITHOUT_QUORUM)) {
            readStates.add(new ReadState(requestId, log.committed));
            return true;
        }
        if (log.term(log.committed) != term) {
            // Until an entry of our term commits we do not know the true commit index.
            readsAwaitingTermCommit.add(requestId);
            return true;
        }
        startReads(List.of(requestId));
        return true;
    }

    private void startReads(List<Long> requestIds) {
        List<Long> voters = membership.voterIds();
        if (voters.size() == 1 && voters.get(0) == id) {
            for (long r : requestIds) {
                readStates.add(new ReadState(r, log.committed));
            }
            return;
        }
        long ctx = ++readContext;
        for (long r : requestIds) {
            Set<Long> acks = new HashSet<>();
            acks.add(id);
            pendingReads.add(new PendingRead(r, log.committed, ctx, acks));
        }
        bcastHeartbeat(ctx);
    }

    private void ackRead(long from, long ctx) {
        for (PendingRead p : pendingReads) {
            if (p.context() <= ctx) {
                p.acks().add(from);
            }
        }
        List<Long> voters = membership.voterIds();
        while (!pendingReads.isEmpty() && Quorum.isMajority(voters, pendingReads.peekFirst().acks())) {
            PendingRead p = pendingReads.pollFirst();
            readStates.add(new ReadState(p.requestId(), p.index()));
        }
    }

    @Override
    public boolean transferLeadership(long target) {
        if (role != Role.LEADER) {
            return false;
        }
        if (target == id) {
            return true;
        }
        if (target == 0) {
            long best = 0;
            long bestMatch = -1;
            for (long v : membership.voterIds()) {
                Progress pr = progress.get(v);
                if (v != id && pr != null && pr.match > bestMatch) {
                    best = v;
                    bestMatch = pr.match;
                }
            }
            if (best == 0) {
                return false;
            }
            target = best;
        }
        if (!membership.isVoter(target) || !progress.containsKey(target)) {
            return false;
        }
        if (leadTransferee == target) {
            return true;
        }
        leadTransferee = target;
        electionElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) {
            send(new TimeoutNow(id, target, term));
        } else {
            sendAppend(target, true);
        }
        return true;
    }

    /** The leader a transfer is handing over to, or 0. */
    public long transferee() {
        return leadTransferee;
    }

    @Override
    public Proposal proposeMembership(MembershipChange change) {
        if (role != Role.LEADER) {
            return Proposal.notLeader(lead);
        }
        if (leadTransferee != 0 || pendingConfIndex > log.committed) {
            return Proposal.busy(id);
        }
        Membership next = applyChange(membership, change);
        appendEntry(EntryType.CONFIG, MembershipCodec.encode(next));
        pendingConfIndex = log.lastIndex();
        configs.put(log.lastIndex(), next);
        recomputeMembership();
        bcastAppend();
        return Proposal.accepted(log.lastIndex(), term);
    }

    /** The configuration after {@code change}; a change that makes no sense is refused with the reason. */
    static Membership applyChange(Membership current, MembershipChange change) {
        long memberId = change.memberId();
        if (memberId <= 0) {
            throw new IllegalArgumentException("memberId must be positive, got " + memberId);
        }
        return switch (change.type()) {
            case ADD_LEARNER -> {
                if (current.contains(memberId)) {
                    throw new IllegalArgumentException("member " + memberId + " is already in the configuration as "
                            + current.member(memberId).orElseThrow().kind().wireName());
                }
                yield current.with(new Member(memberId, MemberKind.LEARNER, change.address()));
            }
            case ADD_OBSERVER -> throw new IllegalArgumentException(
                    "Raft has learners, not observers: use ADD_LEARNER for member " + memberId);
            case PROMOTE -> {
                Member m = current.member(memberId).orElseThrow(() -> new IllegalArgumentException(
                        "member " + memberId + " is not in the configuration; add it as a learner first"));
                if (m.kind() != MemberKind.LEARNER) {
                    throw new IllegalArgumentException("member " + memberId + " is a " + m.kind().wireName()
                            + "; only a learner can be promoted");
                }
                yield current.with(m.withKind(MemberKind.VOTER));
            }
            case REMOVE -> {
                if (!current.contains(memberId)) {
                    throw new IllegalArgumentException("member " + memberId + " is not in the configuration");
                }
                if (current.isVoter(memberId) && current.voterIds().size() == 1) {
                    throw new IllegalArgumentException("cannot remove member " + memberId + ": it is the last voter");
                }
                yield current.without(memberId);
            }
        };
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

    private Membership membershipAt(long index) {
        Map.Entry<Long, Membership> e = configs.floorEntry(index);
        return e != null ? e.getValue() : baseMembership;
    }

    private void recomputeMembership() {
        membership = configs.isEmpty() ? baseMembership : configs.lastEntry().getValue();
        if (role == Role.LEADER) {
            for (Member m : membership.members()) {
                if (m.id() != id && !progress.containsKey(m.id())) {
                    progress.put(m.id(), newProgress());
                }
            }
            progress.keySet().removeIf(k -> !membership.contains(k));
            if (leadTransferee != 0 && !membership.isVoter(leadTransferee)) {
                leadTransferee = 0;
            }
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
                || log.hasUnappliedCommitted();
    }

    @Override
    public Ready ready() {
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
        if (maybeCommit()) {
            if (role == Role.LEADER) {
                bcastAppend();
            }
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
