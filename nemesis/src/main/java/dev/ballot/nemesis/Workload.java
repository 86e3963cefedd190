package dev.ballot.nemesis;

import dev.ballot.nemesis.History.Op;
import dev.ballot.nodeapi.CasOutcome;
import dev.ballot.nodeapi.Consistency;
import dev.ballot.nodeapi.ErrorCode;
import dev.ballot.nodeapi.KvValue;
import dev.ballot.nodeapi.NodeApiException;
import dev.ballot.nodeapi.NodeEndpoint;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several clients, each on its own thread, doing writes, compare-and-sets and linearizable reads on a few shared
 * keys against any member (at random), recorded in a {@link History}; and writes of keys of their own, whose
 * acknowledgements are checked at the end for lost writes. Each answer is classified by the node's error contract
 * (docs/node-api.md): a client that could not connect, or an error that says "not applied", is {@code fail}; an
 * unknown outcome (503 outcome_unknown, 504, 500, a timeout or reset after sending) is {@code info}.
 */
final class Workload implements AutoCloseable {
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(2);

    private final ProxiedCluster cluster;
    private final List<String> keys;
    private final long startNanos;
    private final History history = new History();
    private final Map<String, String> ackedOwnWrites = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Workload(ProxiedCluster cluster, int keys, long startNanos) {
        this.cluster = cluster;
        List<String> k = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            k.add("shared-" + i);
        }
        this.keys = List.copyOf(k);
        this.startNanos = startNanos;
    }

    History history() {
        return history;
    }

    List<String> keys() {
        return keys;
    }

    Map<String, String> ackedOwnWrites() {
        return Map.copyOf(ackedOwnWrites);
    }

    Workload start(int clients, long seed) {
        for (int c = 0; c < clients; c++) {
            int process = c;
            Random random = new Random(seed * 31 + c);
            Thread t = new Thread(() -> clientLoop(process, random), "nemesis-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void clientLoop(int process, Random random) {
        int n = 0;
        Map<String, String> lastSeen = new ConcurrentHashMap<>();
        while (running) {
            n++;
            int node = pickNode(process, random);
            String key = keys.get(random.nextInt(keys.size()));
            String value = "p" + process + "-" + n;
            int dice = random.nextInt(10);
            boolean failed;
            if (dice < 2) {
                String own = "own-p" + process + "-" + n;
                Outcome o = put(process, node, own, value, false);
                if (o == Outcome.OK) {
                    ackedOwnWrites.put(own, value);
                }
                failed = o == Outcome.FAIL;
            } else if (dice < 5) {
                failed = put(process, node, key, value, true) == Outcome.FAIL;
            } else if (dice < 7) {
                Op done = cas(process, node, key, lastSeen.get(key), value);
                String now = done.ok() ? (Boolean.TRUE.equals(done.casOk()) ? value : done.found()) : lastSeen.get(key);
                if (now == null) {
                    lastSeen.remove(key); // absent: the next CAS expects absence
                } else {
                    lastSeen.put(key, now);
                }
                failed = done.failed();
            } else {
                Op done = read(process, node, key);
                if (done.ok() && done.value() != null) {
                    lastSeen.put(key, done.value());
                }
                failed = done.failed();
            }
            if (failed) {
                sleep(BACKOFF_MS); // a refusal comes back at once: back off a little, as a real client would
            }
        }
    }

    static final long BACKOFF_MS = 20;

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Per client and node, until when (nanoTime) the client leaves a node alone that timed out or refused it. */
    private final Map<String, Long> avoidUntil = new ConcurrentHashMap<>();
    static final long AVOID_NANOS = 3_000_000_000L;

    /** A random member, skipping those that recently let this client's request time out (as real clients do). */
    private int pickNode(int process, Random random) {
        int node = 1 + random.nextInt(cluster.size());
        for (int i = 0; i < cluster.size(); i++) {
            int candidate = 1 + (node - 1 + i) % cluster.size();
            if (avoidUntil.getOrDefault(process + "@" + candidate, 0L) - System.nanoTime() <= 0) {
                return candidate;
            }
        }
        return node;
    }

    private void noteTimeout(int process, int node, Answer a) {
        if (a.status == 0 && a.error != null && (a.error.contains("HttpTimeoutException") || a.error.equals("connect"))) {
            avoidUntil.put(process + "@" + node, System.nanoTime() + AVOID_NANOS);
        }
    }

    private enum Outcome { OK, FAIL, INFO }

    private long now() {
        return System.nanoTime() - startNanos;
    }

    private Outcome put(int process, int node, String key, String value, boolean record) {
        long invoke = now();
        Answer a = send(node, n -> {
            n.put(key, value);
            return Answer.OK;
        });
        noteTimeout(process, node, a);
        Outcome o = a.status == 200 ? Outcome.OK : a.notApplied() ? Outcome.FAIL : Outcome.INFO;
        if (record) {
            history.add(new Op(process, "write", key, null, value, null, null, invoke,
                    o == Outcome.INFO ? Long.MAX_VALUE : now(), name(o), a.error));
        }
        return o;
    }

    Op cas(int process, int node, String key, String expect, String value) {
        long invoke = now();
        Answer a = send(node, n -> {
            CasOutcome cas = n.compareAndSet(key, expect, value);
            return cas.applied() ? Answer.OK : new Answer(409, ErrorCode.COMPARE_FAILED.wireName(), cas.current());
        });
        noteTimeout(process, node, a);
        Op op;
        if (a.status == 200) {
            op = new Op(process, "cas", key, expect, value, true, null, invoke, now(), "ok", null);
        } else if (a.status == 409 && "compare_failed".equals(a.error)) {
            op = new Op(process, "cas", key, expect, value, false, a.body, invoke, now(), "ok", a.error);
        } else if (a.notApplied()) {
            op = new Op(process, "cas", key, expect, value, null, null, invoke, now(), "fail", a.error);
        } else {
            op = new Op(process, "cas", key, expect, value, null, null, invoke, Long.MAX_VALUE, "info", a.error);
        }
        history.add(op);
        return op;
    }

    Op read(int process, int node, String key) {
        long invoke = now();
        Answer a = linearizableRead(node, key);
        noteTimeout(process, node, a);
        Op op;
        if (a.status == 200) {
            op = new Op(process, "read", key, null, a.body, null, null, invoke, now(), "ok", null);
        } else if (a.status == 404 && "not_found".equals(a.error)) {
            op = new Op(process, "read", key, null, null, null, null, invoke, now(), "ok", null);
        } else {
            // A read changes nothing: whatever went wrong, it has no effect on the history.
            op = new Op(process, "read", key, null, null, null, null, invoke, now(), "fail", a.error);
        }
        history.add(op);
        return op;
    }

    /** A linearizable read for the final check, retried on any member until it answers or the deadline passes. */
    Answer readUntilAnswered(String key, long deadlineNanos) throws InterruptedException {
        Answer last = null;
        for (int i = 0; System.nanoTime() < deadlineNanos; i++) {
            int node = 1 + i % cluster.size();
            last = linearizableRead(node, key);
            if (last.status == 200 || last.status == 404 && "not_found".equals(last.error)) {
                return last;
            }
            Thread.sleep(50);
        }
        return last;
    }

    private static String name(Outcome o) {
        return switch (o) {
            case OK -> "ok";
            case FAIL -> "fail";
            case INFO -> "info";
        };
    }

    /**
     * An HTTP answer, or the client-side failure ({@code status} 0, {@code error} what happened). {@code body} is
     * the value read, or for a refused compare-and-set the value found (null: absent).
     */
    record Answer(int status, String error, String body) {
        static final Answer OK = new Answer(200, null, null);

        boolean notApplied() {
            return status == 0 ? "connect".equals(error) : !ErrorCode.fromWire(error).mayHaveApplied();
        }
    }

    /** One call on a member through the node API client. */
    @FunctionalInterface
    private interface Call {
        Answer on(NodeEndpoint node) throws IOException, InterruptedException;
    }

    private Answer linearizableRead(int node, String key) {
        return send(node, n -> n.get(key, Consistency.LINEARIZABLE).map(KvValue::text)
                .map(v -> new Answer(200, null, v))
                .orElseGet(() -> new Answer(404, ErrorCode.NOT_FOUND.wireName(), null)));
    }

    private Answer send(int node, Call call) {
        try {
            return call.on(cluster.node(node).withTimeout(CLIENT_TIMEOUT));
        } catch (NodeApiException e) {
            return new Answer(e.status(), e.error().error(), null);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Answer(0, "connect", null); // never sent
        } catch (IOException e) {
            return new Answer(0, e.getCause() instanceof ConnectException ? "connect" : "io: " + e, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "interrupted", null);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(CLIENT_TIMEOUT.toMillis() * 3);
        }
    }
}
