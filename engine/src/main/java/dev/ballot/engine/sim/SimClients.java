package dev.ballot.engine.sim;

import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.kv.KvCommand;
import dev.ballot.engine.linearizability.KvOp;
import dev.ballot.engine.linearizability.LinearizabilityChecker;
import dev.ballot.engine.linearizability.Verdict;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The clients: each writes and reads (ReadIndex) a few shared keys, one operation at a time, at the node it
 * believes leads, and gives up on an operation after a timeout (its outcome is then unknown). Every operation is
 * recorded with its invocation and response time; at the end each key's history must be linearizable. Also the
 * liveness probe written after the final heal.
 */
final class SimClients {
    private static final int MAX_CLIENTS = 5;
    private static final int ACTIVE_KEYS = 3;
    private static final int MAX_KEYS = 40;
    private static final int OPS_PER_KEY = 24;
    private static final int OP_TIMEOUT_MS = 800;

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

    private final Simulation sim;
    private final List<Client> clients = new ArrayList<>();
    private final Map<String, KeyHistory> histories = new LinkedHashMap<>();
    private final List<String> activeKeys = new ArrayList<>();
    private int keysUsed;
    private final Map<Long, Op> writesById = new HashMap<>();
    private final Map<Long, Op> readsById = new HashMap<>();
    private long nextRequestId;
    /** Until then every client holds back, so leaders also sit idle with nothing of their own term to send. */
    long quietUntil;
    private int thinkMs;
    private final Set<Long> probeIds = new HashSet<>();
    boolean probeCommitted;

    SimClients(Simulation sim) {
        this.sim = sim;
    }

    /** Draws how many clients there are and how long they think, and schedules their first operations. */
    void start() {
        int clientCount = 1 + sim.rnd.nextInt(MAX_CLIENTS);
        thinkMs = 5 + sim.rnd.nextInt(sim.rnd.nextBoolean() ? 30 : 150);
        for (int i = 0; i < clientCount; i++) {
            Client c = new Client();
            clients.add(c);
            sim.schedule(sim.rnd.nextInt(100), () -> clientStep(c));
        }
    }

    private void clientStep(Client c) {
        if (c.current != null || sim.stopAt >= 0) {
            return;
        }
        if (sim.now < quietUntil) {
            sim.schedule(quietUntil - sim.now + sim.rnd.nextInt(20), () -> clientStep(c));
            return;
        }
        String key = pickKey();
        if (key == null) {
            return;
        }
        SimNode target = sim.nodes.get(c.leaderGuess);
        if (target == null || !target.up) {
            target = sim.pick(sim.upList());
        }
        if (target != null && sim.now < target.pausedUntil) {
            target = null; // the call would hang; this client tries again later
        }
        if (target == null) {
            sim.schedule(20, () -> clientStep(c));
            return;
        }
        long reqId = ++nextRequestId;
        if (sim.rnd.nextBoolean()) {
            String value = "v" + reqId;
            Proposal p = target.engine.propose(KvCommand.put(reqId, key, value.getBytes(StandardCharsets.UTF_8)).encode());
            sim.note("client put " + key + "=" + value + " at node " + target.id, p, null);
            sim.touched(target);
            if (p.accepted()) {
                Op op = new Op(c, key, true, value, sim.now, target.id);
                writesById.put(reqId, op);
                begin(c, op);
                return;
            }
            c.leaderGuess = p.leaderHint();
        } else {
            boolean ok = target.engine.requestRead(reqId);
            sim.note("client read " + key + " #" + reqId + " at node " + target.id, ok ? "accepted" : "refused", null);
            sim.touched(target);
            if (ok) {
                Op op = new Op(c, key, false, null, sim.now, target.id);
                readsById.put(reqId, op);
                begin(c, op);
                return;
            }
            c.leaderGuess = sim.currentLeader();
        }
        sim.schedule(5 + sim.rnd.nextInt(25), () -> clientStep(c));
    }

    private void begin(Client c, Op op) {
        c.current = op;
        histories.get(op.key).ops.add(op);
        sim.schedule(OP_TIMEOUT_MS, () -> {
            if (!op.done) {
                sim.count(op.write ? "writes_unknown" : "reads_abandoned");
                op.abandoned = true;
                if (op.write) {
                    histories.get(op.key).unknownWrites++;
                }
                c.current = null;
                sim.schedule(1, () -> clientStep(c));
            }
        });
    }

    private void finish(Op op) {
        sim.count(op.write ? "writes_ok" : "reads_ok");
        op.done = true;
        op.response = sim.now;
        op.client.current = null;
        Client c = op.client;
        // Now and then every client pauses, so leaders also sit idle with nothing of their own term to send.
        long think = sim.now < quietUntil ? quietUntil - sim.now + sim.rnd.nextInt(20) : 1 + sim.rnd.nextInt(thinkMs);
        sim.schedule(think, () -> clientStep(c));
    }

    private String pickKey() {
        activeKeys.removeIf(k -> histories.get(k).ops.size() >= OPS_PER_KEY || histories.get(k).unknownWrites >= 3);
        while (activeKeys.size() < ACTIVE_KEYS && keysUsed < MAX_KEYS) {
            String k = "k" + keysUsed++;
            histories.put(k, new KeyHistory());
            activeKeys.add(k);
        }
        return activeKeys.isEmpty() ? null : activeKeys.get(sim.rnd.nextInt(activeKeys.size()));
    }

    /** A command some node applied: answers the write (or the liveness probe) it carried. */
    void applied(long requestId) {
        if (probeIds.contains(requestId)) {
            probeCommitted = true;
        }
        Op op = writesById.get(requestId);
        if (op != null && !op.done && !op.abandoned) {
            finish(op);
        }
    }

    /** Node {@code n}'s engine released a read: it is answered once that node's state machine reached the index. */
    void readReleased(SimNode n, ReadState rs) {
        Op op = readsById.get(rs.requestId());
        if (op != null && !op.done && op.node == n.id) {
            n.readIndexes.put(rs.requestId(), rs.index());
        }
    }

    void completeReads(SimNode n) {
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

    /** After the final heal: a write at the leader, again every 100 ms, until one commits (liveness). */
    void probe() {
        if (probeCommitted || sim.stopAt >= 0) {
            return;
        }
        long l = sim.currentLeader();
        if (l != 0) {
            long reqId = ++nextRequestId;
            Proposal p = sim.nodes.get(l).engine.propose(KvCommand.put(reqId, "__liveness", new byte[]{1}).encode());
            if (p.accepted()) {
                probeIds.add(reqId);
            }
            sim.touched(sim.nodes.get(l));
        }
        sim.schedule(100, this::probe);
    }

    /**
     * Every key's history must be linearizable. A history the search could not decide within its budget fails the
     * seed too (as {@code linearizability-undecided}): it was not shown to be correct, so it must not pass.
     */
    void checkLinearizability() {
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
}
