package dev.ballot.engine.raft;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.EntryBatch;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.quorum.Quorum;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.HeartbeatResponse;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.TimeoutNow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What only a leader does (etcd-io/raft's stepLeader and the leader's side of tick): replicate to each follower by
 * its {@link Progress}, commit what a majority of voters holds, heartbeat, answer ReadIndex reads once a quorum
 * confirmed leadership, transfer leadership and change the configuration. Its state is cleared whenever the node
 * changes term or role ({@link #reset}).
 */
final class RaftLeader {
    private record PendingRead(long requestId, long index, long context, Set<Long> acks) {
    }

    private final RaftNode n;

    final TreeMap<Long, Progress> progress = new TreeMap<>();
    private long leadTransferee;
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    private final List<Long> readsAwaitingTermCommit = new ArrayList<>();
    private long readContext;
    /**
     * Appends wait to be broadcast: proposals and commit advances only mark this, and {@link #flushAppends} (from
     * {@link RaftNode#ready}) sends once per follower whatever accumulated. A driver that steps a batch of
     * proposals and acknowledgements before asking for its Ready sends one append per follower for the batch
     * (with every new entry and the latest commit index) instead of one per proposal and per commit advance.
     */
    private boolean appendsPending;

    RaftLeader(RaftNode node) {
        this.n = node;
    }

    void reset() {
        appendsPending = false;
        leadTransferee = 0;
        progress.clear();
        pendingReads.clear();
        readsAwaitingTermCommit.clear();
    }

    /** The leader a transfer is handing over to, or 0. */
    long transferee() {
        return leadTransferee;
    }

    /** Just elected: track every member, append this term's no-op, and start replicating. */
    void start() {
        for (Member m : n.membership.members()) {
            if (m.id() != n.id) {
                progress.put(m.id(), newProgress());
            }
        }
        if (!n.opts.hasMutant(RaftMutant.COMMIT_OLD_TERM_BY_COUNT)) {
            n.appendEntry(EntryType.NOOP, new byte[0]);
        }
        // The log may hold uncommitted configuration entries; no new change until all of it commits.
        n.pendingConfIndex = n.log.lastIndex();
        bcastAppend();
        maybeCommit();
    }

    private Progress newProgress() {
        Progress pr = new Progress(n.log.lastIndex() + 1, n.opts.maxInflight(), n.tickCount);
        pr.recentActive = true;
        return pr;
    }

    /** The configuration changed: track new members, forget removed ones, drop a transfer to a non-voter. */
    void membershipChanged() {
        for (Member m : n.membership.members()) {
            if (m.id() != n.id && !progress.containsKey(m.id())) {
                progress.put(m.id(), newProgress());
            }
        }
        progress.keySet().removeIf(k -> !n.membership.contains(k));
        if (leadTransferee != 0 && !n.membership.isVoter(leadTransferee)) {
            leadTransferee = 0;
        }
    }

    void tick() {
        n.heartbeatElapsed++;
        n.electionElapsed++;
        if (n.electionElapsed >= n.opts.electionTicksMin()) {
            n.electionElapsed = 0;
            if (n.opts.checkQuorum() && !quorumActive()) {
                n.becomeFollower(n.term, 0);
                return;
            }
            for (Progress pr : progress.values()) {
                pr.recentActive = false;
            }
            if (leadTransferee != 0) {
                leadTransferee = 0;
            }
        }
        if (n.heartbeatElapsed >= n.opts.heartbeatTicks()) {
            n.heartbeatElapsed = 0;
            bcastHeartbeat(pendingReads.isEmpty() ? 0 : pendingReads.peekLast().context());
        }
    }

    private boolean quorumActive() {
        Set<Long> active = new HashSet<>();
        active.add(n.id);
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getValue().recentActive) {
                active.add(e.getKey());
            }
        }
        return Quorum.isMajority(n.membership.voterIds(), active);
    }

    void step(RaftMessage m) {
        if (m instanceof AppendResponse ar) {
            handleAppendResponse(ar);
        } else if (m instanceof HeartbeatResponse hr) {
            handleHeartbeatResponse(hr);
        }
    }

    // ---------------------------------------------------------------- replication

    /** The follower {@code from} answered: it is active; null when we do not track it (no longer a member). */
    private Progress heardFrom(long from) {
        Progress pr = progress.get(from);
        if (pr != null) {
            pr.recentActive = true;
            pr.lastContactTick = n.tickCount;
        }
        return pr;
    }

    private void handleAppendResponse(AppendResponse ar) {
        Progress pr = heardFrom(ar.from());
        if (pr == null) {
            return;
        }
        if (ar.reject()) {
            long nextProbe = ar.rejectHint();
            if (ar.hintTerm() > 0) {
                nextProbe = n.log.findConflictByTerm(ar.rejectHint(), ar.hintTerm());
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
            if (n.role != RaftNode.Role.LEADER) {
                return;
            }
            scheduleAppends();
        } else if (wasPaused && !appendsPending) {
            sendAppend(ar.from(), true); // (with appends pending, the flush sends to it anyway)
        }
        while (sendAppend(ar.from(), false)) {
            // stream until caught up or the in-flight window is full
        }
        if (ar.from() == leadTransferee && pr.match == n.log.lastIndex()) {
            flushAppends(); // the transferee learns the commit index before it campaigns
            n.send(new TimeoutNow(n.id, ar.from(), n.term));
        }
    }

    private void handleHeartbeatResponse(HeartbeatResponse hr) {
        Progress pr = heardFrom(hr.from());
        if (pr == null) {
            return;
        }
        pr.probeSent = false;
        if (pr.state == Progress.State.REPLICATE && pr.inflights.full()) {
            // Appends may have been lost; make room so the follower's rejection can reach us.
            pr.inflights.reset();
        }
        if (pr.state == Progress.State.SNAPSHOT && n.tickCount - pr.snapshotSentTick >= n.opts.electionTicksMin()) {
            pr.becomeProbe();
        }
        if (pr.match < n.log.lastIndex()) {
            sendAppend(hr.from(), true);
        }
        if (hr.context() != 0) {
            ackRead(hr.from(), hr.context());
        }
    }

    private boolean sendAppend(long to, boolean sendIfEmpty) {
        RaftLog log = n.log;
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
        List<LogEntry> entries = EntryBatch.limit(
                log.slice(pr.next, Math.min(log.lastIndex() + 1, pr.next + n.opts.maxEntriesPerMessage())),
                n.opts.maxBytesPerMessage());
        if (entries.isEmpty() && !sendIfEmpty) {
            return false;
        }
        n.send(new AppendEntries(n.id, to, n.term, prevIndex, prevTerm, log.committed, entries));
        pr.sentEntries(entries.size(), entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).index());
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        Snapshot s = n.log.snapshot();
        if (s == null || !pr.recentActive) {
            return false;
        }
        pr.becomeSnapshot(s.index(), n.tickCount);
        n.send(new InstallSnapshot(n.id, to, n.term, s));
        return true;
    }

    void bcastAppend() {
        appendsPending = false;
        for (long to : List.copyOf(progress.keySet())) {
            sendAppend(to, true);
        }
    }

    /** New entries or a new commit index for every follower, sent with the next Ready ({@link #flushAppends}). */
    void scheduleAppends() {
        appendsPending = true;
    }

    boolean appendsPending() {
        return appendsPending;
    }

    /** Sends what {@link #scheduleAppends} marked: one append per follower (more only past the per-message cap). */
    void flushAppends() {
        if (appendsPending && n.role == RaftNode.Role.LEADER) {
            bcastAppend();
        }
        appendsPending = false;
    }

    private void bcastHeartbeat(long context) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            long commit = Math.min(e.getValue().match, n.log.committed);
            n.send(new Heartbeat(n.id, e.getKey(), n.term, commit, context));
        }
    }

    /** Advance the commit index to what a majority of voters holds, if that entry is of our term. */
    boolean maybeCommit() {
        if (n.role != RaftNode.Role.LEADER) {
            return false;
        }
        Map<Long, Long> match = new TreeMap<>();
        match.put(n.id, n.log.stableLast);
        progress.forEach((k, pr) -> match.put(k, pr.match));
        long mci = Quorum.committedIndex(n.membership.voterIds(), match);
        if (mci <= n.log.committed) {
            return false;
        }
        if (n.log.term(mci) != n.term && !n.opts.hasMutant(RaftMutant.COMMIT_OLD_TERM_BY_COUNT)) {
            return false;
        }
        n.log.commitTo(mci);
        afterLeaderCommit();
        return true;
    }

    private void afterLeaderCommit() {
        if (!readsAwaitingTermCommit.isEmpty() && n.log.term(n.log.committed) == n.term) {
            List<Long> waiting = List.copyOf(readsAwaitingTermCommit);
            readsAwaitingTermCommit.clear();
            startReads(waiting);
        }
        if (!n.membership.isVoter(n.id) && n.log.committed >= n.pendingConfIndex) {
            // The configuration that removed us is committed: hand over by stepping down.
            n.becomeFollower(n.term, 0);
        }
    }

    // ---------------------------------------------------------------- client calls

    Proposal propose(byte[] command) {
        if (leadTransferee != 0) {
            return Proposal.busy(n.id);
        }
        n.appendEntry(EntryType.COMMAND, command);
        scheduleAppends();
        return Proposal.accepted(n.log.lastIndex(), n.term);
    }

    boolean requestRead(long requestId) {
        if (n.opts.hasMutant(RaftMutant.READ_WITHOUT_QUORUM)) {
            n.readStates.add(new ReadState(requestId, n.log.committed));
            return true;
        }
        if (n.log.term(n.log.committed) != n.term) {
            // Until an entry of our term commits we do not know the true commit index.
            readsAwaitingTermCommit.add(requestId);
            return true;
        }
        startReads(List.of(requestId));
        return true;
    }

    private void startReads(List<Long> requestIds) {
        List<Long> voters = n.membership.voterIds();
        if (voters.size() == 1 && voters.get(0) == n.id) {
            for (long r : requestIds) {
                n.readStates.add(new ReadState(r, n.log.committed));
            }
            return;
        }
        long ctx = ++readContext;
        for (long r : requestIds) {
            Set<Long> acks = new HashSet<>();
            acks.add(n.id);
            pendingReads.add(new PendingRead(r, n.log.committed, ctx, acks));
        }
        bcastHeartbeat(ctx);
    }

    private void ackRead(long from, long ctx) {
        for (PendingRead p : pendingReads) {
            if (p.context() <= ctx) {
                p.acks().add(from);
            }
        }
        List<Long> voters = n.membership.voterIds();
        while (!pendingReads.isEmpty() && Quorum.isMajority(voters, pendingReads.peekFirst().acks())) {
            PendingRead p = pendingReads.pollFirst();
            n.readStates.add(new ReadState(p.requestId(), p.index()));
        }
    }

    boolean transferLeadership(long target) {
        if (target == n.id) {
            return true;
        }
        if (target == 0) {
            long best = 0;
            long bestMatch = -1;
            for (long v : n.membership.voterIds()) {
                Progress pr = progress.get(v);
                if (v != n.id && pr != null && pr.match > bestMatch) {
                    best = v;
                    bestMatch = pr.match;
                }
            }
            if (best == 0) {
                return false;
            }
            target = best;
        }
        if (!n.membership.isVoter(target) || !progress.containsKey(target)) {
            return false;
        }
        if (leadTransferee == target) {
            return true;
        }
        leadTransferee = target;
        n.electionElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == n.log.lastIndex()) {
            n.send(new TimeoutNow(n.id, target, n.term));
        } else {
            sendAppend(target, true);
        }
        return true;
    }

    Proposal proposeMembership(MembershipChange change) {
        if (leadTransferee != 0 || n.pendingConfIndex > n.log.committed) {
            return Proposal.busy(n.id);
        }
        Membership next = RaftConfigChange.next(n.membership, change);
        n.appendEntry(EntryType.CONFIG, MembershipCodec.encode(next));
        n.pendingConfIndex = n.log.lastIndex();
        n.configAppended(n.log.lastIndex(), next);
        bcastAppend();
        return Proposal.accepted(n.log.lastIndex(), n.term);
    }
}
