package dev.ballot.engine.raft;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** A tiny in-memory cluster for scripted scenarios: instant delivery, in-memory disks, optional cut links. */
final class TestCluster {
    static final class Disk {
        HardState hardState = HardState.EMPTY;
        Snapshot snapshot;
        final List<LogEntry> entries = new ArrayList<>();

        PersistedState persisted() {
            return new PersistedState(hardState, snapshot, entries);
        }
    }

    final Map<Long, RaftNode> nodes = new TreeMap<>();
    final Map<Long, Disk> disks = new TreeMap<>();
    final Map<Long, List<LogEntry>> applied = new TreeMap<>();
    final Map<Long, List<ReadState>> reads = new TreeMap<>();
    final ArrayDeque<Message> inFlight = new ArrayDeque<>();
    final Set<Long> down = new HashSet<>();
    final Set<String> cut = new HashSet<>();
    Predicate<Message> dropIf = m -> false;
    final Membership initial;
    private final long seed;

    TestCluster(long seed, long... voters) {
        this.seed = seed;
        this.initial = Membership.voters(voters);
        for (long id : voters) {
            start(id, PersistedState.EMPTY);
        }
    }

    RaftOptions options(long id) {
        return RaftOptions.builder(id, initial).random(RandomSource.seeded(seed * 31 + id)).build();
    }

    void start(long id, PersistedState state) {
        nodes.put(id, RaftNode.create(options(id), state));
        disks.computeIfAbsent(id, k -> new Disk());
        applied.computeIfAbsent(id, k -> new ArrayList<>());
        reads.computeIfAbsent(id, k -> new ArrayList<>());
        down.remove(id);
    }

    void crash(long id) {
        down.add(id);
    }

    void restart(long id) {
        start(id, disks.get(id).persisted());
        applied.get(id).clear();
    }

    /** The state machine took a snapshot at the applied index; the log before it goes. */
    void compact(long id) {
        RaftNode n = nodes.get(id);
        long index = n.appliedIndex();
        n.compact(index, ("state@" + index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Disk d = disks.get(id);
        d.snapshot = n.snapshot();
        d.entries.removeIf(e -> e.index() <= index);
    }

    RaftNode node(long id) {
        return nodes.get(id);
    }

    void isolate(long id) {
        for (long other : nodes.keySet()) {
            if (other != id) {
                cut.add(id + ">" + other);
                cut.add(other + ">" + id);
            }
        }
    }

    void heal() {
        cut.clear();
    }

    /** Persist, send and apply every node's Ready, deliver every message, until nothing moves. */
    void settle() {
        for (int round = 0; round < 10_000; round++) {
            boolean moved = false;
            for (long id : nodes.keySet()) {
                moved |= processReady(id);
            }
            while (!inFlight.isEmpty()) {
                deliver(inFlight.poll());
                moved = true;
            }
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("cluster did not settle");
    }

    boolean processReady(long id) {
        RaftNode n = nodes.get(id);
        if (down.contains(id) || !n.hasReady()) {
            return false;
        }
        Ready r = n.ready();
        Disk d = disks.get(id);
        if (r.truncateFrom() != Ready.NO_TRUNCATION) {
            d.entries.removeIf(e -> e.index() >= r.truncateFrom());
        }
        d.entries.addAll(r.entries());
        if (r.snapshot() != null) {
            d.snapshot = r.snapshot();
            d.entries.removeIf(e -> e.index() <= r.snapshot().index());
            applied.get(id).clear();
        }
        if (r.hardState() != null) {
            d.hardState = r.hardState();
        }
        inFlight.addAll(r.messages());
        applied.get(id).addAll(r.committed());
        reads.get(id).addAll(r.readStates());
        n.advance(r);
        return true;
    }

    void deliver(Message m) {
        if (down.contains(m.to()) || down.contains(m.from()) || cut.contains(m.from() + ">" + m.to())
                || !nodes.containsKey(m.to()) || dropIf.test(m)) {
            return;
        }
        nodes.get(m.to()).step(m);
    }

    void tick(long id) {
        if (!down.contains(id)) {
            nodes.get(id).tick();
        }
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (long id : nodes.keySet()) {
                tick(id);
            }
            settle();
        }
    }

    /** Tick only {@code id} until it campaigns, then settle. */
    void campaign(long id) {
        for (int i = 0; i < 100 && !nodes.get(id).isLeader() && nodes.get(id).role() == RaftNode.Role.FOLLOWER; i++) {
            nodes.get(id).tick();
        }
        settle();
    }

    long leader() {
        long found = 0;
        for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
            if (!down.contains(e.getKey()) && e.getValue().isLeader()) {
                if (found != 0 && nodes.get(found).currentTerm() == e.getValue().currentTerm()) {
                    throw new AssertionError("two leaders in one term");
                }
                if (found == 0 || e.getValue().currentTerm() > nodes.get(found).currentTerm()) {
                    found = e.getKey();
                }
            }
        }
        return found;
    }

    List<byte[]> appliedCommands(long id) {
        List<byte[]> out = new ArrayList<>();
        for (LogEntry e : applied.get(id)) {
            if (e.type() == EntryType.COMMAND) {
                out.add(e.data());
            }
        }
        return out;
    }
}
