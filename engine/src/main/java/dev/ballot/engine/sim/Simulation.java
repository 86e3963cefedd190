package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.engine.linearizability.KvOp;
import dev.ballot.engine.linearizability.LinearizabilityChecker;
import dev.ballot.engine.linearizability.Verdict;
import dev.ballot.engine.quorum.Quorum;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One seeded run: a cluster on a virtual clock, a network that delays, drops, duplicates, reorders and
 * partitions, crashes that lose unsynced writes, clients, membership changes and leadership transfers. After every
 * event the invariants are checked; after the chaos phase everything heals and liveness is required.
 */
public final class Simulation implements SimView {
    static final int TICK_MS = 10;
    private static final int MAX_CLIENTS = 5;
    private static final int ACTIVE_KEYS = 3;
    private static final int MAX_KEYS = 40;
    private static final int OPS_PER_KEY = 24;
    private static final int OP_TIMEOUT_MS = 800;
    private static final int MAX_NODE_ID = 9;

    /** What one seed did; {@code violation} is null when every check passed. */
    public record Outcome(long seed, long events, int elections, long commits, List<Long> failoverTicks,
                          Violation violation, Map<String, Long> stats) {
    }

    /** A broken invariant, with the events that led to it (oldest first) to help whoever replays it. */
    public record Violation(long seed, long event, String invariant, String detail, List<String> lastEvents) {
    }

    private record Note(long time, long event, String what, Object a, Object b) {
        @Override
        public String toString() {
            return "#" + event + " t=" + time + "ms " + what + (a == null ? "" : " " + a) + (b == null ? "" : " " + b);
        }
    }

    private static final int TRACE = 40;
    private final Note[] trace = new Note[TRACE];
    private int traced;

    /** Remember what happened, cheaply (the text is built only if a violation is reported). */
    private void note(String what, Object a, Object b) {
        trace[traced++ % TRACE] = new Note(now, events, what, a, b);
    }

    private List<String> lastEvents() {
        List<String> out = new ArrayList<>();
        for (int i = Math.max(0, traced - TRACE); i < traced; i++) {
            out.add(trace[i % TRACE].toString());
        }
        return out;
    }

    private record Event(long time, long seq, Runnable action) {
    }

    private final class SimNode {
        final long id;
        final SimDisk disk = new SimDisk();
        ConsensusNode engine;
        boolean up;
        int generation;
        boolean readyScheduled;
        /** A stalled process (a long GC pause, a frozen VM): it neither ticks nor handles anything until then. */
        long pausedUntil;
        KvStateMachine sm = new KvStateMachine();
        long lastApplied;
        final Map<Long, Long> readIndexes = new LinkedHashMap<>();

        SimNode(long id) {
            this.id = id;
        }
    }

    private static final class Op {
        final Client client;
        final String key;
        final boolean write;
        String value;
        final long invoke;
        long response = KvOp.NEVER;
        boolean done;
        boolean abandoned;
        final long node;

        Op(Client client, String key, boolean write, String value, long invoke, long node) {
            this.client = client;
            this.key = key;
            this.write = write;
            this.value = value;
            this.invoke = invoke;
            this.node = node;
        }
    }

    private static final class Client {
        long leaderGuess;
        Op current;
    }

    private static final class KeyHistory {
        final List<Op> ops = new ArrayList<>();
        int unknownWrites;
    }

    private final ProtocolAdapter adapter;
    private final long seed;
    private final int steps;
    private final String mutant;
    private final SplittableRandom rnd;
    private final MessageCodec codec;
    private final InvariantChecker checker;
    private final Membership initial;

    private long now;
    private long seq;
    private long events;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
    private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    private final TreeMap<Long, LogEntry> committed = new TreeMap<>();
    private final NavigableMap<Long, LogEntry> committedView = Collections.unmodifiableNavigableMap(committed);
    private final Set<Long> blocked = new HashSet<>();
    private double dropRate;
    private double dupRate;
    private boolean chaos = true;
    private long nextNodeId;

    private final List<Client> clients = new ArrayList<>();
    private final Map<String, KeyHistory> histories = new LinkedHashMap<>();
    private final List<String> activeKeys = new ArrayList<>();
    private int keysUsed;
    private final Map<Long, Op> writesById = new HashMap<>();
    private final Map<Long, Op> readsById = new HashMap<>();
    private long nextRequestId;
    private long quietUntil;
    private int thinkMs;

    private final Set<Long> electionTerms = new HashSet<>();
    private final List<Long> failoverTicks = new ArrayList<>();
    private long failoverSince = -1;
    private long failoverLostTerm;
    private long failoverLeader;

    /** What the run exercised (snapshots installed, configurations committed...), so tests can prove coverage. */
    private final Map<String, Long> stats = new TreeMap<>();
    private long livenessDeadline = -1;
    private final Set<Long> probeIds = new HashSet<>();
    private boolean probeCommitted;
    private long stopAt = -1;

    public Simulation(ProtocolAdapter adapter, long seed, int steps, String mutant) {
        this.adapter = adapter;
        this.seed = seed;
        this.steps = steps;
        this.mutant = mutant;
        this.rnd = new SplittableRandom(seed);
        this.codec = adapter.codec();
        this.checker = adapter.newChecker();
        int voters = rnd.nextInt(10) < 6 ? 3 : 5;
        List<Member> members = new ArrayList<>();
        for (long id = 1; id <= voters; id++) {
            members.add(new Member(id, MemberKind.VOTER, "sim-" + id));
        }
        if (rnd.nextInt(10) < 3) {
            members.add(new Member(voters + 1, nonVoterKind(), "sim-" + (voters + 1)));
        }
        this.initial = Membership.of(members);
        this.nextNodeId = members.size() + 1;
    }

    private MemberKind nonVoterKind() {
        return adapter.addNonVoter() == MembershipChange.Type.ADD_OBSERVER ? MemberKind.OBSERVER : MemberKind.LEARNER;
    }

    // ------------------------------------------------------------------ SimView

    @Override
    public Collection<Long> upNodes() {
        List<Long> up = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up) {
                up.add(n.id);
            }
        }
        return up;
    }

    @Override
    public ConsensusNode node(long id) {
        return nodes.get(id).engine;
    }

    @Override
    public NavigableMap<Long, LogEntry> committed() {
        return committedView;
    }

    @Override
    public long now() {
        return now;
    }

    // ------------------------------------------------------------------ the run

    public Outcome run() {
        dropRate = rnd.nextDouble() * 0.08;
        dupRate = rnd.nextDouble() * 0.04;
        for (long id : initial.ids()) {
            SimNode n = new SimNode(id);
            nodes.put(id, n);
            startNode(n);
        }
        int clientCount = 1 + rnd.nextInt(MAX_CLIENTS);
        thinkMs = 5 + rnd.nextInt(rnd.nextBoolean() ? 30 : 150);
        for (int i = 0; i < clientCount; i++) {
            Client c = new Client();
            clients.add(c);
            schedule(rnd.nextInt(100), () -> clientStep(c));
        }
        schedule(200 + rnd.nextInt(300), this::fault);
        schedule(1 + rnd.nextInt(TICK_MS), this::tickAll);
        Violation violation = null;
        try {
            while (!queue.isEmpty()) {
                if (chaos && events >= steps) {
                    endChaos();
                }
                if (!chaos && stopAt < 0 && now > livenessDeadline) {
                    throw new InvariantViolation("liveness", "no leader elected and proposal committed within "
                            + adapter.livenessTicks() + " ticks of the last heal (leader now: " + currentLeader() + ")");
                }
                if (stopAt >= 0 && now >= stopAt) {
                    break;
                }
                Event e = queue.poll();
                now = e.time();
                events++;
                e.action().run();
                afterEvent();
            }
            checkLinearizability();
        } catch (InvariantViolation v) {
            violation = new Violation(seed, events, v.invariant(), v.detail(), lastEvents());
        } catch (RuntimeException ex) {
            violation = new Violation(seed, events, "engine exception", ex.toString()
                    + (ex.getStackTrace().length > 0 ? " at " + ex.getStackTrace()[0] : ""), lastEvents());
        }
        return new Outcome(seed, events, electionTerms.size(), committed.size(), List.copyOf(failoverTicks), violation,
                new TreeMap<>(stats));
    }

    private void count(String what) {
        stats.merge(what, 1L, Long::sum);
    }

    private void schedule(long delayMs, Runnable action) {
        queue.add(new Event(now + delayMs, seq++, action));
    }

    private void afterEvent() {
        long leaderTerm = -1;
        for (SimNode n : nodes.values()) {
            if (n.up) {
                long t = adapter.leaderTerm(n.engine);
                if (t >= 0) {
                    electionTerms.add(t);
                    leaderTerm = Math.max(leaderTerm, t);
                }
            }
        }
        if (failoverSince >= 0 && leaderTerm > failoverLostTerm) {
            failoverTicks.add((now - failoverSince) / TICK_MS);
            failoverSince = -1;
        }
        checker.afterEvent(this);
        if (!chaos && stopAt < 0 && probeCommitted && leaderTerm >= 0) {
            // Liveness holds; give outstanding client operations a moment to finish, then stop.
            stopAt = now + 300;
        }
    }

    private void endChaos() {
        chaos = false;
        blocked.clear();
        dropRate = Math.min(dropRate, 0.02);
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                startNode(n);
            }
        }
        livenessDeadline = now + (long) adapter.livenessTicks() * TICK_MS;
        schedule(1, this::probe);
    }

    // ------------------------------------------------------------------ nodes

    private void startNode(SimNode n) {
        note("start node", n.id, null);
        n.generation++;
        RandomSource random = RandomSource.seeded(seed * 1_000_003L + n.id * 7919L + n.generation);
        PersistedState state = n.disk.persisted();
        n.engine = adapter.start(n.id, initial, state, random, mutant);
        n.up = true;
        n.readyScheduled = false;
        n.pausedUntil = 0;
        n.sm = new KvStateMachine();
        n.lastApplied = 0;
        n.readIndexes.clear();
        if (n.disk.snapshot != null) {
            n.sm.restore(n.disk.snapshot.data());
            n.lastApplied = n.disk.snapshot.index();
        }
        touched(n);
    }

    /** One clock tick for every running node, in a random order; one event, so runs cover more virtual time. */
    private void tickAll() {
        List<SimNode> up = new ArrayList<>(upList());
        shuffle(up);
        for (SimNode n : up) {
            if (n.up && now >= n.pausedUntil) {
                n.engine.tick();
                touched(n);
            }
        }
        schedule(TICK_MS, this::tickAll);
    }

    private void crash(SimNode n) {
        if (!n.up) {
            return;
        }
        count("crashes");
        note("crash node", n.id, null);
        long t = adapter.leaderTerm(n.engine);
        if (t >= 0 && t == currentLeaderTerm()) {
            leaderLost(n.id, t);
        }
        n.up = false;
        n.engine = null;
        n.generation++;
        n.readIndexes.clear();
        connectionsClosed(n.id);
        int gen = n.generation;
        schedule(100 + rnd.nextInt(1400), () -> {
            if (!n.up && n.generation == gen) {
                startNode(n);
            }
        });
    }

    /**
     * A killed process's sockets close, so every node still connected to it (up, link not cut) hears of it
     * through {@link ConsensusNode#peerUnreachable}, a little later, as the node program's transport would tell
     * it. Messages already in flight from the dead node may still arrive after the hint, as they could with
     * real buffers; the invariants must hold either way.
     */
    private void connectionsClosed(long dead) {
        for (SimNode other : upList()) {
            if (other.id != dead && !isBlocked(dead, other.id)) {
                int gen = other.generation;
                schedule(1 + rnd.nextInt(3), () -> hearClosed(other, gen, dead));
            }
        }
    }

    private void hearClosed(SimNode n, int gen, long dead) {
        if (!n.up || n.generation != gen) {
            return;
        }
        if (now < n.pausedUntil) {
            schedule(n.pausedUntil - now, () -> hearClosed(n, gen, dead));
            return;
        }
        note("connection closed at node " + n.id, dead, null);
        n.engine.peerUnreachable(dead);
        touched(n);
    }

    /** Work for the node's driver: its Ready is handled after a short fsync delay, so a crash may come first. */
    private void touched(SimNode n) {
        if (n.readyScheduled || !n.up || !n.engine.hasReady()) {
            return;
        }
        n.readyScheduled = true;
        int gen = n.generation;
        long delay = rnd.nextInt(20) == 0 ? 5 + rnd.nextInt(20) : rnd.nextInt(3);
        schedule(delay, () -> readyEvent(n, gen));
    }

    private void readyEvent(SimNode n, int gen) {
        if (!n.up || n.generation != gen) {
            return;
        }
        if (now < n.pausedUntil) {
            schedule(n.pausedUntil - now, () -> readyEvent(n, gen));
            return;
        }
        n.readyScheduled = false;
        processReady(n);
    }

    private void processReady(SimNode n) {
        for (int round = 0; round < 4 && n.engine.hasReady(); round++) {
            Ready r = n.engine.ready();
            note("ready node " + n.id, r.hardState(), r.entries().isEmpty() && r.committed().isEmpty() ? null
                    : "entries " + r.entries() + " committed " + r.committed().size() + " truncateFrom " + r.truncateFrom());
            if (r.messagesFirst()) {
                r.messages().forEach(this::send);
                if (chaos && rnd.nextInt(100) == 0) {
                    // Crash with the messages gone and the disk write lost: followers may hold entries we lack.
                    crash(n);
                    return;
                }
            }
            n.disk.persist(r);
            checker.onPersisted(n.id, r, this);
            if (chaos && rnd.nextInt(100) == 0) {
                // Crash after the sync, before anything (else) leaves or is applied.
                crash(n);
                return;
            }
            if (!r.messagesFirst()) {
                r.messages().forEach(this::send);
            }
            if (r.snapshot() != null) {
                count("snapshots_installed");
                n.sm.restore(r.snapshot().data());
                n.lastApplied = r.snapshot().index();
            }
            for (LogEntry e : r.committed()) {
                apply(n, e);
            }
            for (ReadState rs : r.readStates()) {
                Op op = readsById.get(rs.requestId());
                if (op != null && !op.done && op.node == n.id) {
                    n.readIndexes.put(rs.requestId(), rs.index());
                }
            }
            n.engine.advance(r);
            completeReads(n);
            maybeCompact(n);
        }
        if (n.engine.hasReady()) {
            touched(n);
        }
    }

    private void apply(SimNode n, LogEntry e) {
        if (e.index() <= n.lastApplied) {
            throw new InvariantViolation("state machine safety", "node " + n.id + " applied index " + e.index()
                    + " after " + n.lastApplied);
        }
        Long skipped = committed.higherKey(n.lastApplied);
        if (skipped != null && skipped < e.index()) {
            throw new InvariantViolation("state machine safety", "node " + n.id + " applied " + e.index()
                    + " but skipped committed entry " + skipped);
        }
        LogEntry prev = committed.putIfAbsent(e.index(), e);
        if (prev == null && e.type() == EntryType.CONFIG) {
            count("configs_committed");
        }
        if (prev != null && !prev.equals(e)) {
            throw new InvariantViolation("state machine safety", "node " + n.id + " applied " + e + " at index "
                    + e.index() + " where another node applied " + prev);
        }
        n.lastApplied = e.index();
        checker.onApplied(n.id, e, this);
        KvResult result = n.sm.apply(e);
        if (e.type() == EntryType.COMMAND && result != null) {
            long reqId = result.requestId();
            if (probeIds.contains(reqId)) {
                probeCommitted = true;
            }
            Op op = writesById.get(reqId);
            if (op != null && !op.done && !op.abandoned) {
                finish(op);
            }
        }
    }

    private void completeReads(SimNode n) {
        if (n.readIndexes.isEmpty()) {
            return;
        }
        var it = n.readIndexes.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (n.sm.appliedIndex() >= e.getValue()) {
                it.remove();
                Op op = readsById.get(e.getKey());
                if (op != null && !op.done && !op.abandoned) {
                    op.value = n.sm.get(op.key).map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
                    finish(op);
                }
            }
        }
    }

    private void maybeCompact(SimNode n) {
        if (rnd.nextInt(6) != 0 || n.lastApplied - n.disk.snapshotIndex() < 8) {
            return;
        }
        long index = n.lastApplied;
        byte[] data = n.sm.snapshot();
        if (n.disk.compact(index, data, initial)) {
            count("compactions");
            n.engine.compact(index, data);
        }
    }

    // ------------------------------------------------------------------ network

    private static long link(long from, long to) {
        return from * 1024 + to;
    }

    private boolean isBlocked(long from, long to) {
        return blocked.contains(link(from, to));
    }

    private void send(Message m) {
        byte[] bytes = codec.encode(m);
        Message back;
        try {
            back = codec.decode(bytes);
        } catch (MalformedMessageException e) {
            throw new InvariantViolation("codec", "cannot decode what it encoded: " + m + ": " + e.getMessage());
        }
        if (!Arrays.equals(codec.encode(back), bytes)) {
            throw new InvariantViolation("codec", "round trip changed " + m + " into " + back);
        }
        if (isBlocked(m.from(), m.to()) || rnd.nextDouble() < dropRate) {
            return;
        }
        int copies = rnd.nextDouble() < dupRate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = rnd.nextInt(20) == 0 ? 20 + rnd.nextInt(80) : 1 + rnd.nextInt(8);
            schedule(delay, () -> deliver(back));
        }
    }

    private void deliver(Message m) {
        SimNode n = nodes.get(m.to());
        if (n == null || !n.up || isBlocked(m.from(), m.to())) {
            return;
        }
        if (now < n.pausedUntil) {
            // The bytes wait in the socket buffer until the process runs again.
            schedule(n.pausedUntil - now + rnd.nextInt(3), () -> deliver(m));
            return;
        }
        note("deliver", m, null);
        n.engine.step(m);
        touched(n);
    }

    // ------------------------------------------------------------------ faults

    /** The kinds of fault; each seed draws its own mix, so some seeds flap leaders and others churn membership. */
    private enum Fault {
        CRASH, CRASH_LEADER, RESTART, SPLIT, ONE_WAY, ISOLATE_LEADER, RING, HEAL, MEMBERSHIP, TRANSFER, LOSSY, QUIET,
        PAUSE, SOCKET_RESET
    }

    private int[] faultWeights;

    private Fault nextFault() {
        if (faultWeights == null) {
            faultWeights = new int[Fault.values().length];
            for (int i = 0; i < faultWeights.length; i++) {
                int w = rnd.nextInt(11);
                faultWeights[i] = w * w;
            }
        }
        int total = Math.max(1, Arrays.stream(faultWeights).sum());
        int r = rnd.nextInt(total);
        for (Fault f : Fault.values()) {
            r -= faultWeights[f.ordinal()];
            if (r < 0) {
                return f;
            }
        }
        return Fault.HEAL;
    }

    private void fault() {
        if (!chaos) {
            return;
        }
        switch (nextFault()) {
            case CRASH -> crashSome(false);
            case CRASH_LEADER -> crashSome(true);
            case PAUSE -> pauseSome();
            case RESTART -> restartSome();
            case SPLIT -> partition(0);
            case ONE_WAY -> partition(1);
            case ISOLATE_LEADER -> partition(2);
            case RING -> partition(3);
            case HEAL -> heal();
            case MEMBERSHIP -> changeMembership();
            case TRANSFER -> transfer();
            case LOSSY -> dropRate = rnd.nextDouble() * 0.08;
            case QUIET -> quietUntil = now + 200 + rnd.nextInt(800);
            case SOCKET_RESET -> socketReset();
        }
        schedule(30 + rnd.nextInt(250), this::fault);
    }

    private void crashSome(boolean leader) {
        long down = nodes.values().stream().filter(n -> !n.up).count();
        if (down > Quorum.faultTolerance(initial.voterIds().size())) {
            return;
        }
        SimNode victim = leader ? nodes.get(currentLeader()) : pick(upList());
        if (victim != null) {
            crash(victim);
        }
    }

    private void pauseSome() {
        SimNode n = rnd.nextBoolean() ? nodes.get(currentLeader()) : pick(upList());
        if (n == null || !n.up || now < n.pausedUntil) {
            return;
        }
        long until = now + 50 + rnd.nextInt(1000);
        n.pausedUntil = until;
        count("pauses");
        note("pause node " + n.id + " until", until, null);
        long t = adapter.leaderTerm(n.engine);
        if (t >= 0 && t == currentLeaderTerm()) {
            leaderLost(n.id, t);
            schedule(until - now, () -> {
                if (failoverSince >= 0 && failoverLeader == n.id && n.up
                        && adapter.leaderTerm(n.engine) == failoverLostTerm) {
                    failoverSince = -1; // it woke up still leading: nobody had taken over
                }
            });
        }
    }

    /**
     * A wrong hint: a connection between two live nodes broke (a reset, a proxy restart), so one of them hears
     * that the other is unreachable although it is not. Often the leader, since that hint is the one that acts.
     */
    private void socketReset() {
        SimNode n = pick(upList());
        SimNode other = pick(upList());
        long leader = currentLeader();
        long peer = leader != 0 && rnd.nextBoolean() ? leader : other == null ? 0 : other.id;
        if (n == null || peer == 0 || peer == n.id) {
            return;
        }
        count("socket_resets");
        note("socket reset, wrong hint at node " + n.id + " about live", peer, null);
        n.engine.peerUnreachable(peer);
        touched(n);
    }

    private void restartSome() {
        SimNode n = pick(nodes.values().stream().filter(x -> !x.up).toList());
        if (n != null) {
            startNode(n);
        }
    }

    private void partition(int kind) {
        List<Long> ids = new ArrayList<>(nodes.keySet());
        shuffle(ids);
        if (kind != 1) {
            blocked.clear();
        }
        switch (kind) {
            case 0 -> { // symmetric split
                int k = 1 + rnd.nextInt(Math.max(1, ids.size() / 2));
                Set<Long> side = new HashSet<>(ids.subList(0, k));
                for (long a : ids) {
                    for (long b : ids) {
                        if (side.contains(a) != side.contains(b)) {
                            blocked.add(link(a, b));
                        }
                    }
                }
            }
            case 1 -> { // one-way
                if (ids.size() >= 2) {
                    blocked.add(link(ids.get(0), ids.get(1)));
                }
            }
            case 2 -> { // isolate the leader
                long l = currentLeader();
                if (l != 0) {
                    for (long b : ids) {
                        if (b != l) {
                            blocked.add(link(l, b));
                            blocked.add(link(b, l));
                        }
                    }
                }
            }
            default -> { // a ring: each node hears only its two neighbours
                int size = ids.size();
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        int d = Math.abs(i - j);
                        if (i != j && d != 1 && d != size - 1) {
                            blocked.add(link(ids.get(i), ids.get(j)));
                        }
                    }
                }
            }
        }
        List<String> cut = new ArrayList<>();
        for (long code : new java.util.TreeSet<>(blocked)) {
            cut.add((code / 1024) + ">" + (code % 1024));
        }
        note("partition " + List.of("split", "one-way", "isolate-leader", "ring").get(kind), "blocked " + cut, null);
        long l = currentLeader();
        if (l != 0) {
            ConsensusNode leader = nodes.get(l).engine;
            List<Long> voters = leader.membership().voterIds();
            List<Long> reachable = new ArrayList<>();
            for (long v : voters) {
                SimNode n = nodes.get(v);
                if (v == l || (n != null && n.up && !isBlocked(l, v) && !isBlocked(v, l))) {
                    reachable.add(v);
                }
            }
            if (!Quorum.isMajority(voters, reachable)) {
                leaderLost(l, adapter.leaderTerm(leader));
            }
        }
    }

    private void heal() {
        note("heal", null, null);
        blocked.clear();
        if (failoverSince >= 0) {
            SimNode old = nodes.get(failoverLeader);
            if (old.up && adapter.leaderTerm(old.engine) == failoverLostTerm) {
                failoverSince = -1; // healed before anyone noticed: no failover happened
            }
        }
    }

    /**
     * Starts a failover measurement, when one can succeed at all: a majority of the voters other than the lost
     * leader is running. (Losing the leader with a majority already down measures the outage, not the failover.)
     */
    private void leaderLost(long leader, long term) {
        SimNode l = nodes.get(leader);
        List<Long> voters = l.engine.membership().voterIds();
        List<Long> others = new ArrayList<>();
        for (long v : voters) {
            SimNode n = nodes.get(v);
            if (v != leader && n != null && n.up && now >= n.pausedUntil) {
                others.add(v);
            }
        }
        if (failoverSince < 0 && Quorum.isMajority(voters, others)) {
            failoverSince = now;
            failoverLostTerm = term;
            failoverLeader = leader;
        }
    }

    private void changeMembership() {
        long l = currentLeader();
        if (l == 0) {
            return;
        }
        SimNode leader = nodes.get(l);
        Membership m = leader.engine.membership();
        List<Member> nonVoters = m.members().stream().filter(x -> !x.kind().votes()).toList();
        List<Long> voters = m.voterIds();
        MembershipChange change = null;
        int r = rnd.nextInt(10);
        if (!nonVoters.isEmpty() && r < 5) {
            change = new MembershipChange(MembershipChange.Type.PROMOTE, pick(nonVoters).id(), "");
        } else if (voters.size() < 5 && nextNodeId <= MAX_NODE_ID && r < 8) {
            long id = nextNodeId++;
            SimNode fresh = new SimNode(id);
            nodes.put(id, fresh);
            startNode(fresh);
            change = new MembershipChange(adapter.addNonVoter(), id, "sim-" + id);
        } else if (voters.size() > 3) {
            change = new MembershipChange(MembershipChange.Type.REMOVE, pick(voters), "");
        } else if (!nonVoters.isEmpty()) {
            change = new MembershipChange(MembershipChange.Type.REMOVE, pick(nonVoters).id(), "");
        }
        if (change != null) {
            try {
                note("membership", change, "at leader " + l);
                if (leader.engine.proposeMembership(change).accepted()) {
                    count("config_" + change.type().name().toLowerCase(java.util.Locale.ROOT));
                }
            } catch (IllegalArgumentException refused) {
                // the simulator's guess was out of date; a real operator would re-read the configuration
            }
            touched(leader);
        }
    }

    private void transfer() {
        long l = currentLeader();
        if (l == 0) {
            return;
        }
        SimNode leader = nodes.get(l);
        List<Long> voters = leader.engine.membership().voterIds();
        long target = rnd.nextBoolean() ? 0 : pick(voters);
        note("transfer from " + l + " to", target == 0 ? "most caught-up" : target, null);
        if (leader.engine.transferLeadership(target)) {
            count("transfers_started");
        }
        touched(leader);
    }

    // ------------------------------------------------------------------ clients

    private void clientStep(Client c) {
        if (c.current != null || stopAt >= 0) {
            return;
        }
        if (now < quietUntil) {
            schedule(quietUntil - now + rnd.nextInt(20), () -> clientStep(c));
            return;
        }
        String key = pickKey();
        if (key == null) {
            return;
        }
        SimNode target = nodes.get(c.leaderGuess);
        if (target == null || !target.up) {
            target = pick(upList());
        }
        if (target != null && now < target.pausedUntil) {
            target = null; // the call would hang; this client tries again later
        }
        if (target == null) {
            schedule(20, () -> clientStep(c));
            return;
        }
        long reqId = ++nextRequestId;
        if (rnd.nextBoolean()) {
            String value = "v" + reqId;
            Proposal p = target.engine.propose(KvCommand.put(reqId, key, value.getBytes(StandardCharsets.UTF_8)).encode());
            note("client put " + key + "=" + value + " at node " + target.id, p, null);
            touched(target);
            if (p.accepted()) {
                Op op = new Op(c, key, true, value, now, target.id);
                writesById.put(reqId, op);
                begin(c, op);
                return;
            }
            c.leaderGuess = p.leaderHint();
        } else {
            boolean ok = target.engine.requestRead(reqId);
            note("client read " + key + " #" + reqId + " at node " + target.id, ok ? "accepted" : "refused", null);
            touched(target);
            if (ok) {
                Op op = new Op(c, key, false, null, now, target.id);
                readsById.put(reqId, op);
                begin(c, op);
                return;
            }
            c.leaderGuess = currentLeader();
        }
        schedule(5 + rnd.nextInt(25), () -> clientStep(c));
    }

    private void begin(Client c, Op op) {
        c.current = op;
        histories.get(op.key).ops.add(op);
        schedule(OP_TIMEOUT_MS, () -> {
            if (!op.done) {
                count(op.write ? "writes_unknown" : "reads_abandoned");
                op.abandoned = true;
                if (op.write) {
                    histories.get(op.key).unknownWrites++;
                }
                c.current = null;
                schedule(1, () -> clientStep(c));
            }
        });
    }

    private void finish(Op op) {
        count(op.write ? "writes_ok" : "reads_ok");
        op.done = true;
        op.response = now;
        op.client.current = null;
        Client c = op.client;
        // Now and then every client pauses, so leaders also sit idle with nothing of their own term to send.
        long think = now < quietUntil ? quietUntil - now + rnd.nextInt(20) : 1 + rnd.nextInt(thinkMs);
        schedule(think, () -> clientStep(c));
    }

    private String pickKey() {
        activeKeys.removeIf(k -> histories.get(k).ops.size() >= OPS_PER_KEY || histories.get(k).unknownWrites >= 3);
        while (activeKeys.size() < ACTIVE_KEYS && keysUsed < MAX_KEYS) {
            String k = "k" + keysUsed++;
            histories.put(k, new KeyHistory());
            activeKeys.add(k);
        }
        return activeKeys.isEmpty() ? null : activeKeys.get(rnd.nextInt(activeKeys.size()));
    }

    private void probe() {
        if (probeCommitted || stopAt >= 0) {
            return;
        }
        long l = currentLeader();
        if (l != 0) {
            long reqId = ++nextRequestId;
            Proposal p = nodes.get(l).engine.propose(KvCommand.put(reqId, "__liveness", new byte[]{1}).encode());
            if (p.accepted()) {
                probeIds.add(reqId);
            }
            touched(nodes.get(l));
        }
        schedule(100, this::probe);
    }

    /**
     * Every key's history must be linearizable. A history the search could not decide within its budget fails the
     * seed too (as {@code linearizability-undecided}): it was not shown to be correct, so it must not pass.
     */
    private void checkLinearizability() {
        List<KvOp> ops = new ArrayList<>();
        for (Map.Entry<String, KeyHistory> e : histories.entrySet()) {
            for (Op op : e.getValue().ops) {
                if (op.write) {
                    ops.add(KvOp.write(0, e.getKey(), op.value, op.done ? KvOp.Status.OK : KvOp.Status.INFO, op.invoke,
                            op.done ? op.response : KvOp.NEVER));
                } else if (op.done) {
                    ops.add(KvOp.read(0, e.getKey(), op.value, KvOp.Status.OK, op.invoke, op.response));
                }
            }
        }
        Verdict verdict = LinearizabilityChecker.check(ops);
        if (verdict instanceof Verdict.NotLinearizable v) {
            throw new InvariantViolation("linearizability", v.witness());
        }
        if (verdict instanceof Verdict.Unknown u) {
            throw new InvariantViolation("linearizability-undecided", u.reason());
        }
    }

    // ------------------------------------------------------------------ helpers

    private long currentLeaderTerm() {
        long best = -1;
        for (SimNode n : nodes.values()) {
            if (n.up) {
                best = Math.max(best, adapter.leaderTerm(n.engine));
            }
        }
        return best;
    }

    /** The up node leading in the highest term, or 0. */
    private long currentLeader() {
        long best = -1;
        long id = 0;
        for (SimNode n : nodes.values()) {
            if (n.up) {
                long t = adapter.leaderTerm(n.engine);
                if (t > best) {
                    best = t;
                    id = n.id;
                }
            }
        }
        return id;
    }

    private List<SimNode> upList() {
        return nodes.values().stream().filter(n -> n.up).toList();
    }

    private <T> T pick(List<T> list) {
        return list.isEmpty() ? null : list.get(rnd.nextInt(list.size()));
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rnd.nextInt(i + 1));
        }
    }
}
