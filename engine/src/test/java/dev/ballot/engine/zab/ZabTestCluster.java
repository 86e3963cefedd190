package dev.ballot.engine.zab;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.kv.KvStateMachine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A tiny deterministic network for unit tests: messages are delivered in FIFO order with no delay,
 * links can be cut and nodes crashed and restarted from what they persisted.
 */
final class ZabTestCluster {
    static final class Store {
        HardState hardState = HardState.EMPTY;
        Snapshot snapshot;
        final TreeMap<Long, LogEntry> entries = new TreeMap<>();

        PersistedState persisted() {
            return new PersistedState(hardState, snapshot, List.copyOf(entries.values()));
        }
    }

    final Membership membership;
    final Consumer<ZabOptions.Builder> tuning;
    final Map<Long, ZabNode> nodes = new TreeMap<>();
    final Map<Long, Store> stores = new TreeMap<>();
    final Map<Long, KvStateMachine> machines = new TreeMap<>();
    final Map<Long, List<LogEntry>> appliedLog = new TreeMap<>();
    final List<ReadState> reads = new ArrayList<>();
    final Set<Long> down = new HashSet<>();
    final Set<List<Long>> cut = new HashSet<>();
    final ArrayDeque<Message> wire = new ArrayDeque<>();
    Predicate<Message> drop = m -> false;
    /** Rewrites a message on the wire (a test of what a field is for takes it away). */
    java.util.function.UnaryOperator<Message> rewrite = m -> m;
    /** A member's own starting configuration, when not the cluster's (a member re-added with a stale config file). */
    final Map<Long, Membership> initialOf = new TreeMap<>();
    long ticks;
    int delivered;

    ZabTestCluster(Membership membership, Consumer<ZabOptions.Builder> tuning) {
        this.membership = membership;
        this.tuning = tuning;
        for (long id : membership.ids()) {
            stores.put(id, new Store());
            start(id);
        }
    }

    ZabTestCluster(Membership membership) {
        this(membership, b -> { });
    }

    ZabOptions options(long id) {
        ZabOptions.Builder b = ZabOptions.builder(id, initialOf.getOrDefault(id, membership)).tickTime(5).initLimit(10).syncLimit(4)
                .random(dev.ballot.engine.RandomSource.seeded(id));
        tuning.accept(b);
        return b.build();
    }

    void start(long id) {
        Store s = stores.get(id);
        KvStateMachine sm = new KvStateMachine();
        if (s.snapshot != null) {
            sm.restore(s.snapshot.data());
        }
        machines.put(id, sm);
        appliedLog.put(id, new ArrayList<>());
        nodes.put(id, ZabNode.create(options(id), s.persisted()));
        down.remove(id);
        drain();
    }

    void crash(long id) {
        down.add(id);
        nodes.remove(id);
        wire.removeIf(m -> m.to() == id || m.from() == id);
    }

    void isolate(long id) {
        for (long other : membership.ids()) {
            cut.add(List.of(id, other));
            cut.add(List.of(other, id));
        }
    }

    void heal() {
        cut.clear();
    }

    ZabNode node(long id) {
        return nodes.get(id);
    }

    void tick() {
        ticks++;
        for (ZabNode n : List.copyOf(nodes.values())) {
            if (nodes.containsValue(n)) {
                n.tick();
            }
        }
        drain();
    }

    void drain() {
        for (int round = 0; round < 10_000; round++) {
            boolean work = false;
            for (ZabNode n : List.copyOf(nodes.values())) {
                while (n.hasReady()) {
                    work = true;
                    handle(n, n.ready());
                }
            }
            if (!wire.isEmpty()) {
                work = true;
                Message m = wire.poll();
                ZabNode to = nodes.get(m.to());
                if (to != null && !cut.contains(List.of(m.from(), m.to())) && !drop.test(m)) {
                    delivered++;
                    to.step(rewrite.apply(m));
                }
            }
            if (!work) {
                return;
            }
        }
        throw new AssertionError("network did not settle");
    }

    private void handle(ZabNode n, Ready r) {
        Store s = stores.get(n.id());
        if (r.truncateFrom() != Ready.NO_TRUNCATION) {
            s.entries.tailMap(r.truncateFrom(), true).clear();
        }
        for (LogEntry e : r.entries()) {
            s.entries.put(e.index(), e);
        }
        if (r.snapshot() != null) {
            s.snapshot = r.snapshot();
            machines.get(n.id()).restore(r.snapshot().data());
            appliedLog.get(n.id()).clear();
        }
        if (r.hardState() != null) {
            s.hardState = r.hardState();
        }
        wire.addAll(r.messages());
        for (LogEntry e : r.committed()) {
            machines.get(n.id()).apply(e);
            appliedLog.get(n.id()).add(e);
        }
        reads.addAll(r.readStates());
        n.advance(r);
    }

    boolean runUntil(BooleanSupplier done, int maxTicks) {
        for (int i = 0; i < maxTicks; i++) {
            if (done.getAsBoolean()) {
                return true;
            }
            tick();
        }
        return done.getAsBoolean();
    }

    /** The single serving leader, or 0. */
    long leader() {
        long found = 0;
        for (ZabNode n : nodes.values()) {
            if (n.state() == ServerState.LEADING && n.serving()) {
                if (found != 0) {
                    return -1;
                }
                found = n.id();
            }
        }
        return found;
    }

    boolean stable() {
        long l = leader();
        if (l <= 0) {
            return false;
        }
        for (ZabNode n : nodes.values()) {
            if (n.id() != l && (!n.serving() || n.electedLeader() != l)) {
                return false;
            }
        }
        return true;
    }

    long awaitLeader(int maxTicks) {
        if (!runUntil(this::stable, maxTicks)) {
            throw new AssertionError("no stable leader after " + maxTicks + " ticks: " + nodes.values());
        }
        return leader();
    }

    long awaitLeaderAmong(List<Long> candidates, int maxTicks) {
        boolean ok = runUntil(() -> {
            for (long id : candidates) {
                ZabNode n = nodes.get(id);
                if (n != null && n.state() == ServerState.LEADING && n.serving()) {
                    return true;
                }
            }
            return false;
        }, maxTicks);
        if (!ok) {
            throw new AssertionError("none of " + candidates + " leads after " + maxTicks + " ticks: " + nodes.values());
        }
        for (long id : candidates) {
            ZabNode n = nodes.get(id);
            if (n != null && n.state() == ServerState.LEADING && n.serving()) {
                return id;
            }
        }
        throw new AssertionError("unreachable");
    }

    static byte[] put(long req, String key, String value) {
        return KvCommand.put(req, key, value.getBytes(StandardCharsets.UTF_8)).encode();
    }

    String value(long node, String key) {
        return machines.get(node).get(key).map(v -> new String(v.value(), StandardCharsets.UTF_8)).orElse(null);
    }
}
