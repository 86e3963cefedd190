package dev.ballot.node.server;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Message;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.node.storage.NodeStorage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that owns a {@link ConsensusNode} and its state machine. Everything reaches the
 * engine through its queue: timer ticks, peer messages, client requests. After each batch it drains
 * the engine's Ready work in the order the engine demands: persist (one sync for the whole batch,
 * so concurrent writes share an fsync), send, apply, answer, advance; a leader's appends are sent
 * before its own persist when the Ready allows it.
 *
 * <p>The state machine is pluggable ({@link ReplicatedStateMachine}): {@link KvMachine} behind the HTTP
 * key-value API, or a client protocol's store (etcd's MVCC, ZooKeeper's data tree).
 *
 * @param <M> the state machine
 * @param <R> what applying one of its commands gives the proposer
 */
public final class NodeRuntime<M extends ReplicatedStateMachine<R>, R> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeRuntime.class.getName());
    /** Ticks a late driver may still catch up on (30 ticks = 300 ms, one election timeout). */
    static final int MAX_TICK_CATCH_UP = 30;

    /** Tuning that is not protocol configuration. */
    public record Options(Duration tick, long snapshotEvery) {
        public static Options defaults() {
            return new Options(Duration.ofMillis(10), 10_000);
        }
    }

    private record PendingWrite<R>(long requestId, long startNanos, CompletableFuture<R> future) {
    }

    private record PendingRead<M, T>(Function<M, T> query, CompletableFuture<T> future) {
        void answer(M machine) {
            try {
                future.complete(query.apply(machine));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }

        /** The query runs here, on the driver; its answer is completed by {@code answers}, off it. */
        void answer(M machine, Answers answers) {
            T value;
            try {
                value = query.apply(machine);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return;
            }
            answers.complete(future, value);
        }
    }

    private final ConsensusNode node;
    private final NodeStorage storage;
    private final Outbox outbox;
    private final Options options;
    private final M machine;
    private final ReplicatedStateMachine.Driver driverView = new DriverView();
    /** Work for the driver, stamped with its arrival so that ticks replay in order with it. */
    private record Task(long atNanos, Runnable work) {
    }

    private final LinkedBlockingQueue<Task> inbox = new LinkedBlockingQueue<>();
    private final Answers answers;
    private final List<RuntimeListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong requestIds;
    private final Thread thread;
    private final Object statusMonitor = new Object();

    // Driver-thread state.
    private final TreeMap<Long, PendingWrite<R>> pendingWrites = new TreeMap<>();
    private final TreeMap<Long, CompletableFuture<Membership>> pendingChanges = new TreeMap<>();
    private final Map<Long, PendingRead<M, ?>> awaitingReadState = new HashMap<>();
    private final TreeMap<Long, List<PendingRead<M, ?>>> awaitingApply = new TreeMap<>();
    private long applied;
    private long appliedTerm;
    private long lastSnapshotIndex;
    /** The configuration in force at {@code applied}: what a snapshot must record (the engine's may be ahead). */
    private Membership appliedMembership;
    private long leaderContactNanos = System.nanoTime();
    private Instant leaderSince;
    private volatile boolean running = true;
    private volatile RuntimeStatus status;
    /** Applied on the driver thread; read by any (ClusterIdentityKeeper, status). */
    private volatile ClusterIdentity identity = ClusterIdentity.NONE;

    /** {@code bootstrap} is the configuration the cluster started with, in force until the first CONFIG entry applies. */
    /** The state machine, for its thread-safe accessors only (the driver thread applies to it). */
    public M machine() {
        return machine;
    }

    public NodeRuntime(M machine, ConsensusNode node, PersistedState restored, Membership bootstrap,
                       NodeStorage storage, Outbox outbox, Options options) {
        this.machine = Objects.requireNonNull(machine, "machine");
        this.node = Objects.requireNonNull(node, "node");
        this.storage = Objects.requireNonNull(storage, "storage");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.options = options;
        // Request ids must not repeat across restarts or nodes: a repeat could match someone else's entry.
        this.requestIds = new AtomicLong(new SecureRandom().nextLong() & 0x3fff_ffff_ffff_ffffL);
        if (restored != null && restored.snapshot() != null) {
            Snapshot s = restored.snapshot();
            restoreImage(s.data());
            applied = s.index();
            appliedTerm = s.term();
            lastSnapshotIndex = s.index();
        }
        this.appliedMembership = restored != null && restored.snapshot() != null
                ? restored.snapshot().membership() : Objects.requireNonNull(bootstrap, "bootstrap");
        this.status = snapshotStatus(null);
        this.answers = new Answers(node.id());
        this.thread = new Thread(this::loop, "ballot-driver-" + node.id());
        this.thread.setDaemon(true);
    }

    public NodeRuntime start() {
        thread.start();
        return this;
    }

    public long id() {
        return node.id();
    }

    /** The class of the state machine this runtime drives (which client API the node serves). */
    public Class<?> machineType() {
        return machine.getClass();
    }

    public void addListener(RuntimeListener listener) {
        listeners.add(listener);
    }

    public void removeListener(RuntimeListener listener) {
        listeners.remove(listener);
    }

    public RuntimeStatus status() {
        return status;
    }

    /**
     * Completes with the first published status whose leader is not {@code leaderId} (at once if the current one
     * is not). Cancel it when no longer needed: until then it holds a listener.
     */
    public CompletableFuture<RuntimeStatus> leaderChangeFrom(long leaderId) {
        CompletableFuture<RuntimeStatus> changed = new CompletableFuture<>();
        RuntimeListener watch = new RuntimeListener() {
            @Override
            public void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean visible) {
                if (current.leaderId() != leaderId) {
                    changed.complete(current);
                }
            }
        };
        addListener(watch);
        changed.whenComplete((s, e) -> removeListener(watch));
        RuntimeStatus now = status;
        if (now.leaderId() != leaderId || !running) {
            changed.complete(now);
        }
        return changed;
    }

    public boolean isAlive() {
        return running && thread.isAlive() && status.failure() == null;
    }

    /** Called by the transport's receive threads. */
    public void deliver(Message message) {
        if (running) {
            long at = System.nanoTime();
            inbox.add(new Task(at, () -> {
                if (message.from() == status.leaderId()) {
                    leaderContactNanos = System.nanoTime();
                }
                long queued = System.nanoTime() - at; // taken now: a trace line may be written later
                FailoverTrace.event(() -> "step " + FailoverTrace.describe(message) + " queued " + FailoverTrace.ms(queued));
                node.step(message);
            }));
        }
    }

    /**
     * Called by the transport's threads when a peer's connection closed; handed to the engine on the driver
     * thread, like a message (see {@link ConsensusNode#peerUnreachable}).
     */
    public void peerUnreachable(long peerId) {
        if (running) {
            inbox.add(new Task(System.nanoTime(), () -> node.peerUnreachable(peerId)));
        }
    }

    public long newRequestId() {
        return requestIds.incrementAndGet();
    }

    /**
     * Propose a command (encoded for the state machine, stamped with {@code requestId}); completes with the
     * machine's result once it is applied (committed), or fails with {@link RequestFailure}.
     */
    public CompletableFuture<R> propose(long requestId, byte[] command) {
        CompletableFuture<R> future = new CompletableFuture<>();
        long at = System.nanoTime();
        submit(future, () -> {
            Proposal p = node.propose(command);
            long queued = System.nanoTime() - at;
            FailoverTrace.event(() -> "propose " + (p.accepted() ? "index " + p.index() : p.outcome() + " hint "
                    + p.leaderHint()) + " queued " + FailoverTrace.ms(queued));
            if (p.accepted()) {
                pendingWrites.put(p.index(), new PendingWrite<>(requestId, System.nanoTime(), future));
            } else {
                future.completeExceptionally(refusal(p));
            }
        });
        return future;
    }

    /** A linearizable read: confirmed by a quorum, answered once applied up to the read index. */
    public <T> CompletableFuture<T> readLinearizable(Function<M, T> query) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> {
            long id = newRequestId();
            if (node.requestRead(id)) {
                awaitingReadState.put(id, new PendingRead<>(query, future));
            } else {
                future.completeExceptionally(new RequestFailure(RequestFailure.Reason.NOT_LEADER,
                        node.status().leaderId(), "not the leader"));
            }
        });
        return future;
    }

    /**
     * A serializable read of this node's own state machine, possibly stale. The query runs on the driver
     * thread, so it may also touch the machine's volatile, leader-local state (e.g. lease deadlines).
     */
    public <T> CompletableFuture<T> readLocal(Function<M, T> query) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> new PendingRead<>(query, future).answer(machine));
        return future;
    }

    /**
     * Answer {@code query} once this node has applied up to {@code index} (at once if it has): a follower's
     * half of a linearizable read, given the read index the leader confirmed.
     */
    public <T> CompletableFuture<T> readAtIndex(long index, Function<M, T> query) {
        CompletableFuture<T> future = new CompletableFuture<>();
        submit(future, () -> {
            PendingRead<M, T> pr = new PendingRead<>(query, future);
            if (index <= applied) {
                pr.answer(machine);
            } else {
                awaitingApply.computeIfAbsent(index, i -> new ArrayList<>()).add(pr);
            }
        });
        return future;
    }

    /** {@link ReplicatedStateMachine#kind()} of the machine this runtime drives. */
    public String machineKind() {
        return machine.kind();
    }

    /**
     * The state machine's whole state as a {@link Snapshot}: its bytes, the index (zxid for ZAB) and term of the last
     * entry applied (always committed) and the configuration in force there. Taken on the driver thread between
     * batches, so writes pause only while the machine serialises itself. With {@code linearizable} the leader first
     * confirms its leadership with a quorum (a read index) and waits to apply up to it, so the image holds every write
     * acknowledged before the call; a non-leader then fails with NOT_LEADER. Without it, this member's applied state:
     * a committed prefix, possibly behind the leader.
     */
    public CompletableFuture<Snapshot> captureSnapshot(boolean linearizable) {
        return linearizable ? readLinearizable(m -> currentImage()) : readLocal(m -> currentImage());
    }

    /** The cluster's identity as applied here (any thread). */
    public ClusterIdentity identity() {
        return identity;
    }

    /** A stored or received snapshot: the identity ahead of the machine's bytes (IdentityEnvelope). */
    private void restoreImage(byte[] data) {
        IdentityEnvelope.Parts parts = IdentityEnvelope.unwrap(data);
        machine.restore(parts.machine());
        identity = parts.identity();
    }

    /** Driver thread only: the machine's bytes alone, what a backup holds (a restored cluster gets its own identity). */
    private Snapshot currentImage() {
        return new Snapshot(applied, appliedTerm, appliedMembership, machine.snapshot());
    }

    /** The index (zxid for ZAB) of the last entry applied; read on the driver thread only, e.g. inside a query. */
    public long appliedIndex() {
        return applied;
    }

    /** Ask the engine to hand leadership to {@code target} (0: most caught-up); completes with the engine's answer. */
    public CompletableFuture<Boolean> transferLeadership(long target) {
        CompletableFuture<Boolean> future = new CompletableFuture<>();
        submit(future, () -> future.complete(node.transferLeadership(target)));
        return future;
    }

    /**
     * Propose one membership step. Completes with the configuration once the step is applied, or at
     * once when the configuration already reflects it (so repeating a request is harmless).
     */
    public CompletableFuture<Membership> changeMembership(MembershipChange change) {
        CompletableFuture<Membership> future = new CompletableFuture<>();
        submit(future, () -> {
            Membership current = node.membership();
            if (alreadyDone(current, change)) {
                future.complete(current);
                return;
            }
            Proposal p = node.proposeMembership(change);
            if (p.accepted()) {
                pendingChanges.put(p.index(), future);
            } else {
                future.completeExceptionally(refusal(p));
            }
        });
        return future;
    }

    static boolean alreadyDone(Membership current, MembershipChange change) {
        Optional<Member> member = current.member(change.memberId());
        return switch (change.type()) {
            case ADD_LEARNER -> member.isPresent() && member.get().kind() == MemberKind.LEARNER;
            case ADD_OBSERVER -> member.isPresent() && member.get().kind() == MemberKind.OBSERVER;
            case PROMOTE -> member.isPresent() && member.get().kind() == MemberKind.VOTER;
            case REMOVE -> member.isEmpty();
        };
    }

    /** Wait until the published status satisfies {@code condition}; returns the last status either way. */
    public RuntimeStatus awaitStatus(Predicate<RuntimeStatus> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (statusMonitor) {
            while (true) {
                RuntimeStatus s = status;
                long left = deadline - System.nanoTime();
                if (condition.test(s) || left <= 0 || !running) {
                    return s;
                }
                TimeUnit.NANOSECONDS.timedWait(statusMonitor, left);
            }
        }
    }

    /**
     * On shutdown: a leader hands leadership to the most caught-up voter and waits, bounded, for a
     * new leader so clients see a clean handover instead of an election timeout.
     */
    public boolean handOffLeadership(Duration timeout) throws InterruptedException {
        if (!status.isLeader() || status.membership().voterIds().size() < 2) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                transferLeadership(0).get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                return false;
            }
            long self = node.id();
            RuntimeStatus s = awaitStatus(st -> st.leaderId() != 0 && st.leaderId() != self,
                    Duration.ofNanos(Math.min(deadline - System.nanoTime(), 500_000_000L)));
            if (s.leaderId() != 0 && s.leaderId() != self) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (!running) {
            return;
        }
        inbox.add(new Task(System.nanoTime(), () -> running = false));
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        synchronized (statusMonitor) {
            statusMonitor.notifyAll();
        }
    }

    /** Blocks until the driver thread ends (after {@link #close()} or a fatal storage error). */
    public void join() throws InterruptedException {
        thread.join();
    }

    // ---------------------------------------------------------------- driver thread

    /** A failed write to storage stops the driver: a retried fsync can silently lose data. */
    private void persist(Ready rd) {
        try {
            storage.persist(rd);
        } catch (IOException e) {
            throw new UncheckedIOException("persisting to stable storage failed (" + e.getMessage()
                    + "); the node stops (a retried fsync can lose data)", e);
        }
    }

    private void saveSnapshot(Snapshot snapshot) {
        try {
            storage.saveSnapshot(snapshot);
        } catch (IOException e) {
            throw new UncheckedIOException("saving a snapshot failed (" + e.getMessage() + ")", e);
        }
    }


    private void submit(CompletableFuture<?> future, Runnable work) {
        if (!running) {
            future.completeExceptionally(new RequestFailure(RequestFailure.Reason.STOPPED, 0, "node is stopping"));
            return;
        }
        inbox.add(new Task(System.nanoTime(), work));
    }

    private RequestFailure refusal(Proposal p) {
        return p.outcome() == Proposal.Outcome.BUSY
                ? new RequestFailure(RequestFailure.Reason.BUSY, p.leaderHint(),
                "the leader is transferring leadership or changing membership; retry shortly")
                : new RequestFailure(RequestFailure.Reason.NOT_LEADER, p.leaderHint(), "not the leader");
    }

    private void loop() {
        long tickNanos = options.tick().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        long nextSweep = System.nanoTime() + 1_000_000_000L;
        List<Task> batch = new ArrayList<>();
        String failure = null;
        try {
            drainReady();
            publish();
            while (running) {
                long now = System.nanoTime();
                Task first = inbox.poll(Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                    inbox.drainTo(batch, 4096);
                    for (Task t : batch) {
                        // Ticks due before this message arrived happen before it: after a stall, a
                        // heartbeat that came in meanwhile still resets the election timer at its
                        // arrival, not before the whole stall is replayed.
                        nextTick = tickUntil(t.atNanos(), nextTick, tickNanos);
                        t.work().run();
                    }
                    batch.clear();
                }
                now = System.nanoTime();
                nextTick = tickUntil(now, nextTick, tickNanos);
                drainReady();
                machine.onTick(driverView);
                drainReady(); // what the machine proposed leaves now, not a tick later
                if (now >= nextSweep) {
                    sweepAbandoned();
                    nextSweep = now + 1_000_000_000L;
                }
                publish();
            }
        } catch (InterruptedException e) {
            failure = "driver interrupted";
        } catch (RuntimeException | Error e) {
            failure = "driver stopped: " + e;
            LOG.log(Level.SEVERE, "driver loop failed; the node stops serving", e);
        } finally {
            running = false;
            String why = failure == null ? "node is stopping" : failure;
            // A proposed write may have reached the others and commit without us: its outcome is unknown.
            failAll(new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN, 0, why + " before the outcome was known"),
                    new RequestFailure(RequestFailure.Reason.STOPPED, 0, why));
            // Work queued after the stop is dropped; its callers time out on their own deadlines.
            inbox.clear();
            answers.close();
            status = snapshotStatus(failure == null ? null : failure);
            synchronized (statusMonitor) {
                statusMonitor.notifyAll();
            }
        }
    }

    /** Ticks the engine for every tick deadline up to {@code limit}; returns the next deadline. */
    private long tickUntil(long limit, long nextTick, long tickNanos) {
        if (limit - nextTick > MAX_TICK_CATCH_UP * tickNanos) {
            // A stall this long (GC, suspended VM): replay only its last election timeout's worth.
            nextTick = limit - MAX_TICK_CATCH_UP * tickNanos;
        }
        while (nextTick <= limit) {
            node.tick();
            nextTick += tickNanos;
        }
        return nextTick;
    }

    private void drainReady() {
        while (node.hasReady()) {
            Ready rd = node.ready();
            if (rd.messagesFirst()) {
                // A leader's appends: followers write them while our own fsync runs, instead of after it.
                rd.messages().forEach(outbox::send);
                traceSent(rd, "before persist");
            }
            if (rd.mustSync()) {
                long t0 = System.nanoTime();
                persist(rd);
                long took = System.nanoTime() - t0;
                FailoverTrace.event(() -> "persisted " + rd.entries().size() + " entries in " + FailoverTrace.ms(took));
                for (RuntimeListener l : listeners) {
                    l.onPersisted(took);
                }
            }
            if (rd.snapshot() != null && rd.snapshot().index() > applied) {
                installSnapshot(rd.snapshot());
            }
            if (!rd.messagesFirst()) {
                rd.messages().forEach(outbox::send);
                traceSent(rd, "after persist");
            }
            for (LogEntry e : rd.committed()) {
                apply(e);
            }
            if (!rd.committed().isEmpty()) {
                long upTo = applied;
                long term = appliedTerm;
                FailoverTrace.event(() -> "applied up to " + upTo + " (term " + term + ")");
            }
            for (ReadState rs : rd.readStates()) {
                PendingRead<M, ?> pr = awaitingReadState.remove(rs.requestId());
                if (pr == null) {
                    continue;
                }
                if (rs.index() <= applied) {
                    pr.answer(machine, answers);
                } else {
                    awaitingApply.computeIfAbsent(rs.index(), i -> new ArrayList<>()).add(pr);
                }
            }
            answerReadsUpTo(applied);
            node.advance(rd);
            maybeSnapshot();
        }
        answers.flush();
    }

    private static void traceSent(Ready rd, String when) {
        if (FailoverTrace.active() && !rd.messages().isEmpty()) {
            FailoverTrace.event(() -> "sent " + rd.messages().size() + " messages " + when + ": "
                    + FailoverTrace.describe(rd.messages().get(0)));
        }
    }

    private void installSnapshot(Snapshot s) {
        restoreImage(s.data());
        applied = s.index();
        appliedTerm = s.term();
        lastSnapshotIndex = s.index();
        appliedMembership = s.membership();
        RequestFailure lost = new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN, 0,
                "a snapshot from the leader replaced this node's log; the outcome is unknown");
        failUpTo(pendingWrites, applied, lost);
        failUpTo(pendingChanges, applied, lost);
    }

    private void apply(LogEntry e) {
        if (e.index() <= applied) {
            return; // already in the restored snapshot
        }
        boolean identityCommand = e.type() == EntryType.COMMAND && ClusterIdentity.isCommand(e.data());
        R result;
        if (identityCommand) {
            // Kept beside the machine, which sees an empty entry (its applied index still moves, as for a NOOP).
            identity = identity.apply(e.index(), e.data());
            result = machine.apply(new LogEntry(e.index(), e.term(), EntryType.NOOP, new byte[0]));
        } else {
            result = machine.apply(e);
        }
        applied = e.index();
        appliedTerm = e.term();
        if (e.type() == EntryType.CONFIG) {
            appliedMembership = decodeMembership(e);
        }
        PendingWrite<R> w = pendingWrites.remove(e.index());
        if (w != null) {
            if (identityCommand && ClusterIdentity.requestId(e.data()) == w.requestId()) {
                w.future().complete(null);
            } else if (result != null && machine.requestId(result) == w.requestId()) {
                answers.complete(w.future(), result);
                long took = System.nanoTime() - w.startNanos();
                FailoverTrace.event(() -> "answered index " + e.index() + " proposed " + FailoverTrace.ms(took) + " ago");
                for (RuntimeListener l : listeners) {
                    l.onCommitted(took);
                }
            } else {
                w.future().completeExceptionally(new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN,
                        node.status().leaderId(), "leadership changed and another entry took this index; retry"));
            }
        }
        CompletableFuture<Membership> change = pendingChanges.remove(e.index());
        if (change != null) {
            if (e.type() == EntryType.CONFIG) {
                change.complete(node.membership());
            } else {
                change.completeExceptionally(new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN,
                        node.status().leaderId(), "leadership changed before the membership change committed; retry"));
            }
        }
        // Entries of an index this node proposed but that a new leader never kept (ZAB zxids skip).
        RequestFailure lost = new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN, node.status().leaderId(),
                "leadership changed before the write committed; retry");
        failUpTo(pendingWrites, applied, lost);
        failUpTo(pendingChanges, applied, lost);
    }

    private static <V> void failUpTo(TreeMap<Long, V> pending, long index, RequestFailure failure) {
        if (pending.isEmpty() || pending.firstKey() > index) {
            return;
        }
        Iterator<V> it = pending.headMap(index, true).values().iterator();
        while (it.hasNext()) {
            V v = it.next();
            if (v instanceof PendingWrite<?> w) {
                w.future().completeExceptionally(failure);
            } else if (v instanceof CompletableFuture<?> f) {
                f.completeExceptionally(failure);
            }
            it.remove();
        }
    }

    private void answerReadsUpTo(long index) {
        while (!awaitingApply.isEmpty() && awaitingApply.firstKey() <= index) {
            for (PendingRead<M, ?> pr : awaitingApply.pollFirstEntry().getValue()) {
                pr.answer(machine, answers);
            }
        }
    }

    private void maybeSnapshot() {
        if (options.snapshotEvery() <= 0 || applied - lastSnapshotIndex < options.snapshotEvery()) {
            return;
        }
        byte[] data = IdentityEnvelope.wrap(identity, machine.snapshot());
        saveSnapshot(new Snapshot(applied, appliedTerm, appliedMembership, data));
        node.compact(applied, data);
        lastSnapshotIndex = applied;
    }

    private Membership decodeMembership(LogEntry config) {
        try {
            return MembershipCodec.decode(config.data());
        } catch (MalformedMessageException e) {
            // The engine already decoded this committed entry to act on it; failing here means memory corruption.
            throw new IllegalStateException("committed configuration entry " + config.index() + " is unreadable: "
                    + e.getMessage(), e);
        }
    }

    private void sweepAbandoned() {
        pendingWrites.values().removeIf(w -> w.future().isDone());
        pendingChanges.values().removeIf(CompletableFuture::isDone);
        awaitingReadState.values().removeIf(r -> r.future().isDone());
        awaitingApply.values().forEach(l -> l.removeIf(r -> r.future().isDone()));
        awaitingApply.values().removeIf(List::isEmpty);
    }

    /** Fails every waiting request: writes and membership changes with {@code writes}, reads with {@code reads}. */
    private void failAll(RequestFailure writes, RequestFailure reads) {
        pendingWrites.values().forEach(w -> w.future().completeExceptionally(writes));
        pendingWrites.clear();
        pendingChanges.values().forEach(f -> f.completeExceptionally(writes));
        pendingChanges.clear();
        awaitingReadState.values().forEach(r -> r.future().completeExceptionally(reads));
        awaitingReadState.clear();
        awaitingApply.values().forEach(l -> l.forEach(r -> r.future().completeExceptionally(reads)));
        awaitingApply.clear();
    }

    private void publish() {
        RuntimeStatus previous = status;
        RuntimeStatus current = snapshotStatus(null);
        boolean lostLeadership = previous.isLeader() && (!current.isLeader() || current.node().term() != previous.node().term());
        if (lostLeadership) {
            RequestFailure lost = new RequestFailure(RequestFailure.Reason.OUTCOME_UNKNOWN, current.leaderId(),
                    "this node lost leadership before the request completed; the outcome is unknown, retry");
            // A read changed nothing: it is routed again, to the new leader (NOT_LEADER), as if it came now.
            failAll(lost, new RequestFailure(RequestFailure.Reason.NOT_LEADER, current.leaderId(),
                    "this node lost leadership before the read was confirmed"));
        }
        boolean changed = current.differsVisiblyFrom(previous);
        if (previous.leaderId() != current.leaderId() || previous.node().term() != current.node().term()
                || !previous.node().role().equals(current.node().role())) {
            FailoverTrace.open(() -> "role " + current.node().role() + " term " + current.node().term() + " leader "
                    + current.leaderId() + " last " + current.node().lastLogIndex() + " commit " + current.node().commitIndex());
        }
        status = current;
        for (RuntimeListener l : listeners) {
            try {
                l.onStatus(previous, current, changed);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "status listener failed", e);
            }
        }
        synchronized (statusMonitor) {
            statusMonitor.notifyAll();
        }
    }

    /** What {@link ReplicatedStateMachine#onTick} sees: driver-thread only. */
    private final class DriverView implements ReplicatedStateMachine.Driver {
        @Override
        public boolean isLeader() {
            return node.status().isLeader();
        }

        @Override
        public long term() {
            return node.status().term();
        }

        @Override
        public long nowNanos() {
            return System.nanoTime();
        }

        @Override
        public long newRequestId() {
            return NodeRuntime.this.newRequestId();
        }

        @Override
        public boolean propose(byte[] command) {
            return node.propose(command).accepted();
        }
    }

    private RuntimeStatus snapshotStatus(String failure) {
        NodeStatus st = node.status();
        RuntimeStatus previous = status;
        if (previous == null || previous.leaderId() != st.leaderId()) {
            leaderSince = st.leaderId() == 0 ? null : Instant.now();
            leaderContactNanos = System.nanoTime();
        }
        if (st.isLeader()) {
            leaderContactNanos = System.nanoTime();
        }
        return new RuntimeStatus(st, node.membership(), leaderSince, leaderContactNanos, System.nanoTime(), failure);
    }
}
