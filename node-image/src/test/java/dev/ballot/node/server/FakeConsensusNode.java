package dev.ballot.node.server;

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
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in engine for driver and HTTP tests: a leader that commits what it appends at once (as a
 * single voter would), or a follower that knows a leader id. Not a protocol: only the driver's
 * contract (Ready order, advance, read states) is real.
 */
public final class FakeConsensusNode implements ConsensusNode {
    private final long id;
    private Membership membership;
    private volatile long leaderId;
    private long term = 1;
    private final List<LogEntry> log = new ArrayList<>();
    private final List<LogEntry> unpersisted = new ArrayList<>();
    private final List<ReadState> reads = new ArrayList<>();
    private long committedUpTo;
    private long appliedUpTo;
    private Ready outstanding;
    public final AtomicInteger ticks = new AtomicInteger();
    private final java.util.Queue<Runnable> onDriver = new java.util.concurrent.ConcurrentLinkedQueue<>();
    public volatile long compactedAt = -1;
    public volatile boolean acceptTransfers = true;
    /** False: appended entries wait (as if no quorum answered), so proposals stay pending. */
    public volatile boolean commitImmediately = true;

    public FakeConsensusNode(long id, Membership membership, long leaderId) {
        this.id = id;
        this.membership = membership;
        this.leaderId = leaderId;
    }

    public static FakeConsensusNode singleLeader() {
        return new FakeConsensusNode(1, Membership.of(List.of(new Member(1, MemberKind.VOTER, "127.0.0.1:1"))), 1);
    }

    /** Commits the log up to {@code index}, as a quorum's acknowledgement would. Driver thread only. */
    public void commitUpTo(long index) {
        committedUpTo = Math.max(committedUpTo, Math.min(index, log.size()));
    }

    /** Called on the driver thread through a submitted task, or before start. */
    public void becomeFollowerOf(long leader, long newTerm) {
        leaderId = leader;
        term = newTerm;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Protocol protocol() {
        return Protocol.RAFT;
    }

    @Override
    public void tick() {
        ticks.incrementAndGet();
        for (Runnable r = onDriver.poll(); r != null; r = onDriver.poll()) {
            r.run();
        }
    }

    /**
     * Runs {@code work} on the driver thread at its next tick (within 10 ms), as the engine's own reaction to
     * the network would; the future completes once it ran.
     */
    public java.util.concurrent.CompletableFuture<Void> onDriver(Runnable work) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        onDriver.add(() -> {
            work.run();
            done.complete(null);
        });
        return done;
    }

    @Override
    public void step(Message message) {
    }

    /** "peer@thread" for each peerUnreachable call, to check the driver thread makes it. */
    public final List<String> unreachable = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void peerUnreachable(long peerId) {
        unreachable.add(peerId + "@" + Thread.currentThread().getName());
    }

    private boolean leader() {
        return leaderId == id;
    }

    private long append(EntryType type, byte[] data) {
        LogEntry e = new LogEntry(log.size() + 1, term, type, data);
        log.add(e);
        unpersisted.add(e);
        if (commitImmediately) {
            committedUpTo = log.size();
        }
        return e.index();
    }

    @Override
    public Proposal propose(byte[] command) {
        if (!leader()) {
            return Proposal.notLeader(leaderId);
        }
        return Proposal.accepted(append(EntryType.COMMAND, command), term);
    }

    @Override
    public boolean requestRead(long requestId) {
        if (!leader()) {
            return false;
        }
        reads.add(new ReadState(requestId, committedUpTo));
        return true;
    }

    @Override
    public boolean transferLeadership(long target) {
        if (!leader() || !acceptTransfers) {
            return false;
        }
        long to = target != 0 ? target : membership.voterIds().stream().filter(v -> v != id).findFirst().orElse(0L);
        if (to == 0) {
            return false;
        }
        leaderId = to;
        term++;
        return true;
    }

    @Override
    public Proposal proposeMembership(MembershipChange change) {
        if (!leader()) {
            return Proposal.notLeader(leaderId);
        }
        Membership next = switch (change.type()) {
            case ADD_LEARNER -> membership.with(new Member(change.memberId(), MemberKind.LEARNER, change.address()));
            case ADD_OBSERVER -> membership.with(new Member(change.memberId(), MemberKind.OBSERVER, change.address()));
            case PROMOTE -> membership.with(membership.member(change.memberId()).orElseThrow().withKind(MemberKind.VOTER));
            case REMOVE -> membership.without(change.memberId());
        };
        membership = next;
        return Proposal.accepted(append(EntryType.CONFIG, MembershipCodec.encode(next)), term);
    }

    @Override
    public boolean hasReady() {
        return !unpersisted.isEmpty() || !reads.isEmpty() || appliedUpTo < committedUpTo;
    }

    @Override
    public Ready ready() {
        if (outstanding == null) {
            List<LogEntry> committed = log.subList((int) appliedUpTo, (int) committedUpTo);
            outstanding = new Ready(unpersisted.isEmpty() ? null : new HardState(term, id, committedUpTo, 0),
                    Ready.NO_TRUNCATION, unpersisted, null, List.of(), committed, reads);
        }
        return outstanding;
    }

    @Override
    public void advance(Ready ready) {
        unpersisted.clear();
        reads.clear();
        if (!ready.committed().isEmpty()) {
            appliedUpTo = ready.committed().get(ready.committed().size() - 1).index();
        }
        outstanding = null;
    }

    @Override
    public void compact(long index, byte[] snapshotData) {
        compactedAt = index;
    }

    @Override
    public NodeStatus status() {
        List<MemberProgress> progress = new ArrayList<>();
        for (Member m : membership.members()) {
            progress.add(new MemberProgress(m.id(), m.kind(), m.address(), leader() ? log.size() : -1, leader() ? 0 : -1));
        }
        return new NodeStatus(id, Protocol.RAFT, leader() ? "leader" : "follower", term, leaderId, committedUpTo,
                appliedUpTo, log.size(), progress);
    }

    @Override
    public Membership membership() {
        return membership;
    }
}
