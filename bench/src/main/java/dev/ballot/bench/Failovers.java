package dev.ballot.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The leader taken down again and again, by SIGKILL ({@code kill}: its sockets close, peers hear of it at
 * once) or SIGSTOP ({@code freeze}: nothing closes, only a timeout reveals it; SIGKILLed once a new leader is
 * elected). Two clocks start at the fault, both on this machine:
 * <ul>
 *   <li>{@code elected}: until a surviving member first says it leads, polled every {@link #POLL_MS} ms on
 *   each survivor in parallel (server side, the client plays no part);</li>
 *   <li>{@code ack}: until the first write is acknowledged. Hedged: a new attempt starts every
 *   {@link #HEDGE_MS} ms at each survivor without waiting for the ones in flight (at most
 *   {@link #MAX_IN_FLIGHT} per survivor, each bounded by {@link #ATTEMPT_TIMEOUT}), so no client ever waits
 *   on a dead or electing member and the figure's resolution is the hedge interval, not an attempt timeout.</li>
 * </ul>
 */
final class Failovers {
    static final long POLL_MS = 10;
    static final long HEDGE_MS = 10;
    static final int MAX_IN_FLIGHT = 32;
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    static final Duration FAULT_LIMIT = Duration.ofSeconds(30);
    /**
     * {@code -Dbench.trace=true}: one {@code # trace} line per attempt after a fault (member, start and end in ms from
     * the fault, outcome) and the fault's wall-clock time, to line up with the members' logs (docs/bench.md).
     */
    static final boolean TRACE = Boolean.getBoolean("bench.trace");

    private final BenchCluster cluster;
    private final Report report;
    private final PrintStream out;
    private final String run;
    private final byte[] value;
    private final ExecutorService attempts = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "failover-attempt");
        t.setDaemon(true);
        return t;
    });

    Failovers(BenchCluster cluster, Report report, PrintStream out, String run, byte[] value) {
        this.cluster = cluster;
        this.report = report;
        this.out = out;
        this.run = run;
        this.value = value;
    }

    /** {@code count} faults of one kind; records p50 and p99 (nearest rank: the maximum under 100 faults). */
    void measure(String fault, int count) throws Exception {
        String sys = cluster.system();
        List<Long> elected = new ArrayList<>();
        List<Long> acked = new ArrayList<>();
        try {
            for (int n = 1; n <= count; n++) {
                Workloads.waitFor(cluster, "all 3 members up with one leader before " + fault + " " + n,
                        Duration.ofSeconds(60), cluster::healthy);
                int leader = leaderOf();
                List<Integer> survivors = new ArrayList<>();
                for (int m = 0; m < cluster.size(); m++) {
                    if (m != leader) {
                        survivors.add(m);
                    }
                }
                if (firstAck(List.of(leader), sys + "-pre" + fault + n, Duration.ofSeconds(30)) < 0) {
                    report.skip(sys, fault + " " + n + ": no write acknowledged before the fault");
                    return;
                }
                long faultAt;
                if (fault.equals("freeze")) {
                    cluster.freeze(leader); // the clock starts once it is stopped: it may ack until then
                    faultAt = System.nanoTime();
                } else {
                    faultAt = System.nanoTime();
                    cluster.kill(leader);
                }
                if (TRACE) {
                    out.println("# trace " + sys + " " + fault + n + " member=" + leader + " fault_wall="
                            + java.time.LocalTime.now().minusNanos(System.nanoTime() - faultAt));
                }
                AtomicLong electedAt = new AtomicLong(-1);
                Thread poll = pollElection(survivors, faultAt, electedAt);
                long ackAt = firstAck(survivors, sys + "-" + fault + n, FAULT_LIMIT, TRACE ? faultAt : -1);
                poll.join(FAULT_LIMIT.toMillis() + 1000);
                cluster.kill(leader); // a frozen one is replaced now; a killed one is already gone
                if (ackAt < 0 || electedAt.get() < 0) {
                    report.skip(sys, fault + " " + n + ": " + (electedAt.get() < 0 ? "no survivor said it leads"
                            : "no write acknowledged") + " within " + FAULT_LIMIT.toSeconds() + " s of the "
                            + fault + " of member " + leader + "; logs " + cluster.logs());
                    cluster.restart(leader);
                    return;
                }
                elected.add(electedAt.get() - faultAt);
                acked.add(ackAt - faultAt);
                out.println("# " + sys + " " + fault + " n=" + n + " member=" + leader + " elected_ms="
                        + (electedAt.get() - faultAt) / 1_000_000 + " ack_ms=" + (ackAt - faultAt) / 1_000_000
                        + " loadavg=" + Report.loadAverage());
                cluster.restart(leader);
            }
        } finally {
            record(sys, fault, "elected", elected);
            record(sys, fault, "ack", acked);
        }
    }

    private void record(String sys, String fault, String phase, List<Long> nanos) {
        if (nanos.isEmpty()) {
            return;
        }
        LatencyStats st = LatencyStats.ofNanos(nanos);
        report.record(sys, Metric.failover(fault, phase, 50), st.percentileMs(50));
        report.record(sys, Metric.failover(fault, phase, 99), st.percentileMs(99));
    }

    /** One poller per survivor; the first to hear "I lead" sets the time. Bounded by {@link #FAULT_LIMIT}. */
    private Thread pollElection(List<Integer> survivors, long faultAt, AtomicLong electedAt) {
        long deadline = faultAt + FAULT_LIMIT.toNanos();
        List<Thread> pollers = new ArrayList<>();
        for (int m : survivors) {
            Thread t = new Thread(() -> {
                while (electedAt.get() < 0 && System.nanoTime() < deadline) {
                    long asked = System.nanoTime();
                    if (cluster.claimsLeadership(m, POLL_TIMEOUT)) {
                        // the answer left the member between the question and its arrival: count the question
                        // time plus half the round trip, so a slow answer does not add its whole latency
                        long now = System.nanoTime();
                        electedAt.compareAndSet(-1, asked + (now - asked) / 2);
                        return;
                    }
                    sleepQuietly(POLL_MS);
                }
            }, "election-poll-" + m);
            t.setDaemon(true);
            t.start();
            pollers.add(t);
        }
        Thread all = new Thread(() -> pollers.forEach(p -> {
            try {
                p.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "election-poll");
        all.setDaemon(true);
        all.start();
        return all;
    }

    /**
     * Time of the first acknowledged write to any of {@code members}, every attempt started now; -1 at the
     * deadline. A fresh session per attempt (no client-side backoff or stale connection carries over).
     */
    long firstAck(List<Integer> members, String prefix, Duration limit) throws InterruptedException {
        return firstAck(members, prefix, limit, -1);
    }

    /** As {@link #firstAck(List, String, Duration)}; with {@code traceFrom >= 0} one trace line per attempt. */
    long firstAck(List<Integer> members, String prefix, Duration limit, long traceFrom) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        AtomicLong ackAt = new AtomicLong(-1);
        Map<Integer, Semaphore> inFlight = new java.util.HashMap<>();
        members.forEach(m -> inFlight.put(m, new Semaphore(MAX_IN_FLIGHT)));
        for (int attempt = 0; ackAt.get() < 0 && System.nanoTime() < deadline; attempt++) {
            for (int m : members) {
                Semaphore slots = inFlight.get(m);
                if (!slots.tryAcquire()) {
                    continue;
                }
                String key = prefix + "-" + run + "-m" + m + "-" + attempt;
                attempts.execute(() -> {
                    KvSession s = null;
                    long started = System.nanoTime();
                    String outcome = "ok";
                    try {
                        s = cluster.session(m);
                        s.put(key, value, ATTEMPT_TIMEOUT);
                        ackAt.compareAndSet(-1, System.nanoTime());
                    } catch (Exception e) {
                        // refused, no leader, timed out: the next hedge is already on its way
                        outcome = String.valueOf(e);
                    } finally {
                        if (traceFrom >= 0) {
                            out.println("# trace m" + m + " " + key + " start=" + (started - traceFrom) / 1_000_000
                                    + " end=" + (System.nanoTime() - traceFrom) / 1_000_000 + " " + outcome);
                        }
                        if (s != null) {
                            s.close();
                        }
                        slots.release();
                    }
                });
            }
            Thread.sleep(HEDGE_MS);
        }
        return ackAt.get();
    }

    private int leaderOf() throws InterruptedException {
        int[] found = {-1};
        Workloads.waitFor(cluster, "a leader", Duration.ofSeconds(30), () -> {
            OptionalInt l = cluster.leader();
            l.ifPresent(x -> found[0] = x);
            return l.isPresent();
        });
        return found[0];
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void close() {
        attempts.shutdownNow();
    }

    static String describe() {
        return String.format(Locale.ROOT, "poll=%dms hedge=%dms max_in_flight=%d attempt_timeout=%dms", POLL_MS,
                HEDGE_MS, MAX_IN_FLIGHT, ATTEMPT_TIMEOUT.toMillis());
    }
}
