package dev.ballot.engine.sim;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.engine.zab.ServerState;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.engine.zab.ZabMutant;
import dev.ballot.engine.zab.ZabNode;
import dev.ballot.engine.zab.ZabOptions;
import dev.ballot.engine.zab.Zxid;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A second, tick-granular seeded run for ZAB, with a stricter ending than {@link Simulation}'s: random delays,
 * drops, duplicates and reordering, partitions, crashes and restarts, clients writing and reading; after the faults
 * stop every server (not only a quorum) must apply a new write, and no acknowledged write may be lost. It checks
 * with the simulator's own pieces: each server's {@link SimDisk}, {@link StateMachineSafety} (Agreement,
 * TotalOrder, LocalPrimaryOrder) and ZAB's {@link InvariantChecker} (Leadership, PrimaryIntegrity, Integrity,
 * epochs), plus its own stale-read check. A failure names its seed; the same seed replays it exactly.
 */
final class ZabChaos implements SimView {
    record Result(long seed, String violation, int delivered, int acked, long failoverTicksMax) {
        boolean ok() {
            return violation == null;
        }
    }

    private record InFlight(long at, long seq, Message m) {
    }

    private record Write(long requestId, String key, long zxid, long node) {
    }

    private record Read(long requestId, String key, long node, long minRevision) {
    }

    private final long seed;
    private final SplittableRandom rnd;
    private final Set<ZabMutant> mutants;
    private final Membership membership;
    private final Map<Long, ZabNode> nodes = new TreeMap<>();
    private final Map<Long, SimDisk> disks = new TreeMap<>();
    private final Map<Long, KvStateMachine> machines = new TreeMap<>();
    private final Set<Long> down = new HashSet<>();
    private final Set<List<Long>> cut = new HashSet<>();
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final StateMachineSafety safety = new StateMachineSafety();
    private final InvariantChecker checker = new ZabAdapter().newChecker();
    private final Map<Long, Long> lastApplied = new HashMap<>();
    private final Map<Long, Write> pendingWrites = new HashMap<>();
    private final Map<String, Long> ackedRevision = new HashMap<>();
    private final List<Write> acked = new ArrayList<>();
    private final Map<Long, Read> pendingReads = new HashMap<>();
    private final Map<Long, List<Read>> readsAwaitingApply = new HashMap<>();
    private final ZabCodec codec = new ZabCodec();
    private long now;
    private long seq;
    private long nextRequest = 1;
    private int deliveredCount;
    private long noLeaderSince = -1;
    private long failoverMax;

    ZabChaos(long seed, Set<ZabMutant> mutants) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.mutants = mutants;
        int voters = rnd.nextInt(2) == 0 ? 3 : 5;
        List<Member> members = new ArrayList<>();
        for (long i = 1; i <= voters; i++) {
            members.add(new Member(i, MemberKind.VOTER, ""));
        }
        if (rnd.nextInt(3) == 0) {
            members.add(new Member(9, MemberKind.OBSERVER, ""));
        }
        this.membership = Membership.of(members);
        for (long id : membership.ids()) {
            disks.put(id, new SimDisk());
            start(id);
        }
    }

    static Result run(long seed, Set<ZabMutant> mutants) {
        ZabChaos c = new ZabChaos(seed, mutants);
        try {
            c.play();
            return new Result(seed, null, c.deliveredCount, c.acked.size(), c.failoverMax);
        } catch (InvariantViolation | IllegalStateException e) {
            return new Result(seed, e.getMessage() + " (replay: seed " + seed + ")", c.deliveredCount, c.acked.size(), c.failoverMax);
        }
    }

    @Override
    public Collection<Long> upNodes() {
        return nodes.keySet();
    }

    @Override
    public ConsensusNode node(long id) {
        return nodes.get(id);
    }

    @Override
    public NavigableMap<Long, LogEntry> committed() {
        return safety.committed();
    }

    @Override
    public long now() {
        return now;
    }

    private void start(long id) {
        SimDisk disk = disks.get(id);
        KvStateMachine sm = new KvStateMachine();
        if (disk.snapshot != null) {
            sm.restore(disk.snapshot.data());
        }
        machines.put(id, sm);
        lastApplied.put(id, disk.snapshotIndex());
        ZabOptions opt = ZabOptions.builder(id, membership).tickTime(5).initLimit(10).syncLimit(4)
                .random(RandomSource.seeded(seed * 31 + id)).mutants(mutants).build();
        nodes.put(id, ZabNode.create(opt, disk.persisted()));
        down.remove(id);
        drainReady(id);
    }

    private void crash(long id) {
        nodes.remove(id);
        down.add(id);
        pendingWrites.values().removeIf(w -> w.node == id);
        pendingReads.values().removeIf(r -> r.node == id);
        readsAwaitingApply.values().forEach(l -> l.removeIf(r -> r.node == id));
    }

    private void play() {
        int faultTicks = 1500;
        for (now = 1; now <= faultTicks; now++) {
            faults();
            clients();
            step();
        }
        cut.clear();
        for (long id : List.copyOf(down)) {
            start(id);
        }
        long healedAt = now;
        long marker = 0;
        for (; now < healedAt + 1000; now++) {
            clients();
            step();
            long leader = leader();
            if (leader > 0 && marker == 0) {
                Proposal p = nodes.get(leader).propose(KvCommand.put(nextRequest++, "after-heal", new byte[]{1}).encode());
                if (p.accepted()) {
                    marker = p.index();
                    drainReady(leader);
                }
            }
            if (marker != 0 && allApplied(marker)) {
                break;
            }
        }
        if (marker == 0 || !allApplied(marker)) {
            throw new IllegalStateException("Liveness: no write committed on every server within 1000 ticks after healing "
                    + nodes.values());
        }
        for (Write w : acked) {
            if (!safety.committed().containsKey(w.zxid)) {
                throw new IllegalStateException("Durability: acknowledged write " + Zxid.hex(w.zxid) + " was lost");
            }
        }
    }

    private boolean allApplied(long zxid) {
        for (ZabNode n : nodes.values()) {
            if (n.status().appliedIndex() < zxid) {
                return false;
            }
        }
        return true;
    }

    private long leader() {
        for (ZabNode n : nodes.values()) {
            if (n.state() == ServerState.LEADING && n.serving()) {
                return n.id();
            }
        }
        return 0;
    }

    private void faults() {
        int r = rnd.nextInt(1000);
        int maxDown = membership.voterIds().size() / 2;
        if (r < 4 && down.size() < maxDown) {
            List<Long> up = List.copyOf(nodes.keySet());
            long victim = rnd.nextInt(3) == 0 && leader() > 0 ? leader() : up.get(rnd.nextInt(up.size()));
            crash(victim);
        } else if (r < 10 && !down.isEmpty()) {
            List<Long> d = List.copyOf(down);
            start(d.get(rnd.nextInt(d.size())));
        } else if (r < 13) {
            List<Long> ids = membership.ids();
            long a = ids.get(rnd.nextInt(ids.size()));
            for (long b : ids) {
                if (b != a) {
                    cut.add(List.of(a, b));
                    cut.add(List.of(b, a));
                }
            }
        } else if (r < 25) {
            cut.clear();
        }
    }

    private void clients() {
        long leader = leader();
        if (leader == 0) {
            if (noLeaderSince < 0) {
                noLeaderSince = now;
            }
            return;
        }
        if (noLeaderSince >= 0) {
            failoverMax = Math.max(failoverMax, now - noLeaderSince);
            noLeaderSince = -1;
        }
        if (rnd.nextInt(3) == 0) {
            String key = "k" + rnd.nextInt(4);
            long req = nextRequest++;
            byte[] command = KvCommand.put(req, key, longBytes(req)).encode();
            Proposal p = nodes.get(leader).propose(command);
            if (p.accepted()) {
                pendingWrites.put(req, new Write(req, key, p.index(), leader));
            }
            drainReady(leader);
        }
        if (rnd.nextInt(5) == 0) {
            String key = "k" + rnd.nextInt(4);
            long req = nextRequest++;
            long min = ackedRevision.getOrDefault(key, 0L);
            if (nodes.get(leader).requestRead(req)) {
                pendingReads.put(req, new Read(req, key, leader, min));
            }
            drainReady(leader);
        }
    }

    private static byte[] longBytes(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }

    private void step() {
        for (ZabNode n : List.copyOf(nodes.values())) {
            if (nodes.containsKey(n.id())) {
                n.tick();
                drainReady(n.id());
            }
        }
        while (!wire.isEmpty() && wire.peek().at <= now) {
            InFlight f = wire.poll();
            ZabNode to = nodes.get(f.m.to());
            if (to == null || cut.contains(List.of(f.m.from(), f.m.to()))) {
                continue;
            }
            Message m = f.m;
            if (rnd.nextInt(20) == 0) {
                try {
                    m = codec.decode(codec.encode(m));
                } catch (MalformedMessageException e) {
                    throw new IllegalStateException("codec could not read its own bytes: " + e.getMessage());
                }
            }
            deliveredCount++;
            to.step(m);
            drainReady(to.id());
            checkLeaders();
        }
        checkLeaders();
    }

    private void checkLeaders() {
        checker.afterEvent(this);
    }

    private void drainReady(long id) {
        ZabNode n = nodes.get(id);
        while (n != null && n.hasReady()) {
            Ready r = n.ready();
            disks.get(id).persist(r);
            checker.onPersisted(id, r, this);
            if (r.snapshot() != null) {
                machines.get(id).restore(r.snapshot().data());
                lastApplied.put(id, r.snapshot().index());
            }
            for (Message m : r.messages()) {
                send(m);
            }
            for (LogEntry e : r.committed()) {
                safety.applied(id, lastApplied.get(id), e);
                lastApplied.put(id, e.index());
                checker.onApplied(id, e, this);
                machines.get(id).apply(e);
                onApplied(id, e);
            }
            for (ReadState rs : r.readStates()) {
                Read rd = pendingReads.remove(rs.requestId());
                if (rd != null) {
                    readsAwaitingApply.computeIfAbsent(rs.index(), k -> new ArrayList<>()).add(rd);
                }
            }
            n.advance(r);
            answerReads(id);
            maybeCompact(id);
        }
    }

    private void onApplied(long id, LogEntry e) {
        if (e.type() != EntryType.COMMAND) {
            return;
        }
        try {
            KvCommand cmd = KvCommand.decode(e.data());
            Write w = pendingWrites.get(cmd.requestId());
            if (w != null && w.node == id) {
                pendingWrites.remove(cmd.requestId());
                if (w.zxid == e.index()) {
                    acked.add(w);
                    ackedRevision.merge(w.key, w.zxid, Math::max);
                }
            }
        } catch (MalformedMessageException ex) {
            throw new IllegalStateException("corrupt command applied at " + Zxid.hex(e.index()));
        }
    }

    private void answerReads(long id) {
        long applied = nodes.get(id).status().appliedIndex();
        for (Map.Entry<Long, List<Read>> en : readsAwaitingApply.entrySet()) {
            if (en.getKey() > applied) {
                continue;
            }
            List<Read> rest = new ArrayList<>();
            for (Read rd : en.getValue()) {
                if (rd.node != id) {
                    rest.add(rd);
                    continue;
                }
                long revision = machines.get(id).get(rd.key).map(KvStateMachine.Versioned::revision).orElse(0L);
                if (revision < rd.minRevision) {
                    throw new IllegalStateException("Linearizability: read of " + rd.key + " on " + id + " saw revision "
                            + Zxid.hex(revision) + " but a write at " + Zxid.hex(rd.minRevision) + " was acknowledged before the read began");
                }
            }
            en.setValue(rest);
        }
        readsAwaitingApply.values().removeIf(List::isEmpty);
    }

    private void maybeCompact(long id) {
        ZabNode n = nodes.get(id);
        long applied = n.status().appliedIndex();
        if (applied > 0 && rnd.nextInt(200) == 0) {
            byte[] data = machines.get(id).snapshot();
            if (disks.get(id).compact(applied, data, membership)) {
                n.compact(applied, data);
            }
        }
    }

    private void send(Message m) {
        if (rnd.nextInt(100) < 3) {
            return;
        }
        wire.add(new InFlight(now + rnd.nextInt(3), seq++, m));
        if (rnd.nextInt(100) < 3) {
            wire.add(new InFlight(now + rnd.nextInt(6), seq++, m));
        }
    }
}
