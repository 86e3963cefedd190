package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.engine.quorum.Quorum;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
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
 *
 * <p>This class is the driver: the event queue and clock, the nodes' lifecycle (start, tick, crash, the hints a
 * closed connection gives) and each node's Ready loop (persist, send, apply, advance, compact). The rest is in
 * {@link SimNetwork} (messages and partitions), {@link SimFaults} (what goes wrong, and when),
 * {@link SimClients} (the workload and its linearizability check) and the checks: {@link StateMachineSafety}, the
 * protocol's {@link InvariantChecker}, and liveness after the final heal.
 */
public final class Simulation implements SimView {
    static final int TICK_MS = 10;

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
    void note(String what, Object a, Object b) {
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

    final ProtocolAdapter adapter;
    private final long seed;
    private final int steps;
    private final String mutant;
    final SplittableRandom rnd;
    private final InvariantChecker checker;
    final Membership initial;
    final SimNetwork network;
    final SimClients clients = new SimClients(this);
    private final SimFaults faults = new SimFaults(this);
    private final StateMachineSafety safety = new StateMachineSafety();

    long now;
    private long seq;
    private long events;
    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            Comparator.comparingLong(Event::time).thenComparingLong(Event::seq));
    final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    boolean chaos = true;
    long nextNodeId;

    private final Set<Long> electionTerms = new HashSet<>();
    private final List<Long> failoverTicks = new ArrayList<>();
    long failoverSince = -1;
    long failoverLostTerm;
    long failoverLeader;

    /** What the run exercised (snapshots installed, configurations committed...), so tests can prove coverage. */
    private final Map<String, Long> stats = new TreeMap<>();
    private long livenessDeadline = -1;
    long stopAt = -1;

    public Simulation(ProtocolAdapter adapter, long seed, int steps, String mutant) {
        this.adapter = adapter;
        this.seed = seed;
        this.steps = steps;
        this.mutant = mutant;
        this.rnd = new SplittableRandom(seed);
        this.network = new SimNetwork(this, adapter.codec());
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
        return safety.committed();
    }

    @Override
    public long now() {
        return now;
    }

    // ------------------------------------------------------------------ the run

    public Outcome run() {
        network.dropRate = rnd.nextDouble() * 0.08;
        network.dupRate = rnd.nextDouble() * 0.04;
        for (long id : initial.ids()) {
            SimNode n = new SimNode(id);
            nodes.put(id, n);
            startNode(n);
        }
        clients.start();
        schedule(200 + rnd.nextInt(300), faults::fault);
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
            clients.checkLinearizability();
        } catch (InvariantViolation v) {
            violation = new Violation(seed, events, v.invariant(), v.detail(), lastEvents());
        } catch (RuntimeException ex) {
            violation = new Violation(seed, events, "engine exception", ex.toString()
                    + (ex.getStackTrace().length > 0 ? " at " + ex.getStackTrace()[0] : ""), lastEvents());
        }
        return new Outcome(seed, events, electionTerms.size(), safety.size(), List.copyOf(failoverTicks), violation,
                new TreeMap<>(stats));
    }

    void count(String what) {
        stats.merge(what, 1L, Long::sum);
    }

    void schedule(long delayMs, Runnable action) {
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
        if (!chaos && stopAt < 0 && clients.probeCommitted && leaderTerm >= 0) {
            // Liveness holds; give outstanding client operations a moment to finish, then stop.
            stopAt = now + 300;
        }
    }

    private void endChaos() {
        chaos = false;
        network.healAll();
        network.dropRate = Math.min(network.dropRate, 0.02);
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                startNode(n);
            }
        }
        livenessDeadline = now + (long) adapter.livenessTicks() * TICK_MS;
        schedule(1, clients::probe);
    }

    // ------------------------------------------------------------------ nodes

    void startNode(SimNode n) {
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

    void crash(SimNode n) {
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
            if (other.id != dead && !network.isBlocked(dead, other.id)) {
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
    void touched(SimNode n) {
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
                r.messages().forEach(network::send);
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
                r.messages().forEach(network::send);
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
                clients.readReleased(n, rs);
            }
            n.engine.advance(r);
            clients.completeReads(n);
            maybeCompact(n);
        }
        if (n.engine.hasReady()) {
            touched(n);
        }
    }

    private void apply(SimNode n, LogEntry e) {
        if (safety.applied(n.id, n.lastApplied, e) && e.type() == EntryType.CONFIG) {
            count("configs_committed");
        }
        n.lastApplied = e.index();
        checker.onApplied(n.id, e, this);
        KvResult result = n.sm.apply(e);
        if (e.type() == EntryType.COMMAND && result != null) {
            clients.applied(result.requestId());
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

    // ------------------------------------------------------------------ failover timing

    /**
     * Starts a failover measurement, when one can succeed at all: a majority of the voters other than the lost
     * leader is running. (Losing the leader with a majority already down measures the outage, not the failover.)
     */
    void leaderLost(long leader, long term) {
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

    // ------------------------------------------------------------------ helpers

    long currentLeaderTerm() {
        long best = -1;
        for (SimNode n : nodes.values()) {
            if (n.up) {
                best = Math.max(best, adapter.leaderTerm(n.engine));
            }
        }
        return best;
    }

    /** The up node leading in the highest term, or 0. */
    long currentLeader() {
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

    List<SimNode> upList() {
        return nodes.values().stream().filter(n -> n.up).toList();
    }

    <T> T pick(List<T> list) {
        return list.isEmpty() ? null : list.get(rnd.nextInt(list.size()));
    }

    <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, rnd.nextInt(i + 1));
        }
    }
}
