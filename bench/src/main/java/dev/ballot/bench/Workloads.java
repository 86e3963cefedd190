package dev.ballot.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The measurements, identical for every system. Every loop is bounded both in count and in time.
 */
final class Workloads {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Failover attempts: short, so a dead or leaderless member costs little before the next is tried. */
    static final Duration FAILOVER_ATTEMPT_TIMEOUT = Duration.ofMillis(300);
    /** After an attempt that failed fast (refused, no leader), pause this long so retries do not spin the CPU. */
    static final long FAILOVER_RETRY_PAUSE_MS = 5;

    private final BenchOptions options;
    private final Report report;
    private final PrintStream out;
    private final String run = Long.toHexString(System.nanoTime());
    private final byte[] value;

    Workloads(BenchOptions options, Report report, PrintStream out) {
        this.options = options;
        this.report = report;
        this.out = out;
        this.value = "v".repeat(options.valueBytes).getBytes(StandardCharsets.UTF_8);
    }

    void runAll(BenchCluster cluster) throws Exception {
        String sys = cluster.system();
        out.println("# " + sys + ": " + cluster.describe() + " logs=" + cluster.logs());
        cluster.startAll();
        waitFor(cluster, "all 3 members up with one leader", Duration.ofSeconds(90), cluster::healthy);
        int leader = leaderOf(cluster);
        try (KvSession s = cluster.session(leader)) {
            // warm-up (JIT, connections), not recorded
            sequential(s, sys + "-warm", options.warmup, Duration.ofSeconds(60));
            List<Long> seq = new ArrayList<>();
            long t0 = System.nanoTime();
            int errors = sequentialInto(s, sys + "-seq", options.writes, options.phaseLimit, seq);
            long elapsed = System.nanoTime() - t0;
            recordWrites(sys, "seq", seq, errors, elapsed, Metric.WRITE_SEQ_OPS, Metric.WRITE_SEQ_P50, Metric.WRITE_SEQ_P99);
        }
        leader = noteLeaderChange(cluster, leader, "sequential writes");
        concurrent(cluster, leader);
        leader = noteLeaderChange(cluster, leader, "concurrent writes");
        reads(cluster, leader);
        noteLeaderChange(cluster, leader, "linearizable reads");
        failovers(cluster);
    }

    /**
     * Nothing is killed before the failover phase: a new leader here was elected under the machine's
     * load (a missed heartbeat), and the phase's numbers include that election. Said, not hidden.
     */
    private int noteLeaderChange(BenchCluster cluster, int leader, String phase) throws InterruptedException {
        int now = leaderOf(cluster);
        if (now != leader) {
            out.println("# " + cluster.system() + " NOTE: the leader changed (member " + leader + " -> " + now
                    + ") during " + phase + " without any kill: an election under load; those numbers include it");
        }
        return now;
    }

    private void recordWrites(String sys, String phase, List<Long> lat, int errors, long elapsedNanos,
                              Metric ops, Metric p50, Metric p99) {
        out.println("# " + sys + " " + phase + ": acked=" + lat.size() + " errors=" + errors + " elapsed_ms="
                + elapsedNanos / 1_000_000);
        if (lat.isEmpty()) {
            report.skip(sys, phase + " writes: none acknowledged");
            return;
        }
        LatencyStats st = LatencyStats.ofNanos(lat);
        report.record(sys, ops, lat.size() / (elapsedNanos / 1e9));
        report.record(sys, p50, st.percentileMs(50));
        report.record(sys, p99, st.percentileMs(99));
    }

    private void sequential(KvSession s, String prefix, int count, Duration limit) {
        sequentialInto(s, prefix, count, limit, new ArrayList<>());
    }

    /** {@code count} writes one after another, stopping early at {@code limit}; returns the failures. */
    private int sequentialInto(KvSession s, String prefix, int count, Duration limit, List<Long> latencies) {
        long deadline = System.nanoTime() + limit.toNanos();
        int errors = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
            long start = System.nanoTime();
            try {
                s.put(prefix + "-" + run + "-" + i, value, REQUEST_TIMEOUT);
                latencies.add(System.nanoTime() - start);
            } catch (Exception e) {
                if (errors++ == 0) {
                    out.println("# first error in " + prefix + ": " + e);
                }
            }
        }
        return errors;
    }

    private void concurrent(BenchCluster cluster, int leader) throws Exception {
        String sys = cluster.system();
        int clients = options.clients;
        int perClient = Math.max(1, options.writes / clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<KvSession> sessions = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                sessions.add(cluster.session(leader));
            }
            for (KvSession s : sessions) { // connect each session before the clock starts
                s.put(sys + "-conn-" + run + "-" + System.identityHashCode(s), value, REQUEST_TIMEOUT);
            }
            List<Long> lat = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger errors = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                KvSession s = sessions.get(c);
                String prefix = sys + "-conc" + c;
                done.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    errors.addAndGet(sequentialInto(s, prefix, perClient, options.phaseLimit, mine));
                    lat.addAll(mine);
                }));
            }
            for (Future<?> f : done) {
                f.get(options.phaseLimit.toSeconds() + 30, TimeUnit.SECONDS);
            }
            long elapsed = System.nanoTime() - t0;
            out.println("# " + sys + " concurrent clients=" + clients + " writes_each=" + perClient);
            recordWrites(sys, "concurrent", new ArrayList<>(lat), errors.get(), elapsed,
                    Metric.WRITE_CONC_OPS, Metric.WRITE_CONC_P50, Metric.WRITE_CONC_P99);
        } finally {
            sessions.forEach(KvSession::close);
            pool.shutdownNow();
        }
    }

    private void reads(BenchCluster cluster, int leader) throws Exception {
        String sys = cluster.system();
        String key = sys + "-read-" + run;
        try (KvSession s = cluster.session(leader)) {
            s.put(key, value, REQUEST_TIMEOUT);
            long deadline = System.nanoTime() + options.phaseLimit.toNanos();
            List<Long> lat = new ArrayList<>();
            int errors = 0;
            for (int i = 0; i < options.reads && System.nanoTime() < deadline; i++) {
                long start = System.nanoTime();
                try {
                    byte[] got = s.linearizableGet(key, REQUEST_TIMEOUT);
                    if (got.length != value.length) {
                        throw new IllegalStateException("read " + got.length + " bytes, wrote " + value.length);
                    }
                    lat.add(System.nanoTime() - start);
                } catch (Exception e) {
                    if (errors++ == 0) {
                        out.println("# first read error: " + e);
                    }
                }
            }
            out.println("# " + sys + " reads: answered=" + lat.size() + " errors=" + errors);
            if (lat.isEmpty()) {
                report.skip(sys, "linearizable reads: none answered");
                return;
            }
            LatencyStats st = LatencyStats.ofNanos(lat);
            report.record(sys, Metric.READ_LIN_P50, st.percentileMs(50));
            report.record(sys, Metric.READ_LIN_P99, st.percentileMs(99));
        }
    }

    /**
     * SIGKILL the leader; unavailability is from the kill to the acknowledgement of the first write,
     * every attempt of which starts after the kill (see {@link #firstAck}).
     */
    private void failovers(BenchCluster cluster) throws Exception {
        String sys = cluster.system();
        List<Long> unavailable = new ArrayList<>();
        for (int n = 1; n <= options.failovers; n++) {
            waitFor(cluster, "all 3 members up with one leader before failover " + n, Duration.ofSeconds(60),
                    cluster::healthy);
            int leader = leaderOf(cluster);
            // writes flow through the rotating client before the kill
            long pre = firstAck(cluster, sys + "-pre" + n, Duration.ofSeconds(30));
            if (pre < 0) {
                report.skip(sys, "failover " + n + ": no write acknowledged before the kill");
                break;
            }
            long killedAt = System.nanoTime();
            cluster.kill(leader);
            long ackAt = firstAck(cluster, sys + "-fo" + n, Duration.ofSeconds(30));
            if (ackAt < 0) {
                report.skip(sys, "failover " + n + ": no write acknowledged within 30 s of killing member " + leader
                        + "; logs " + cluster.logs());
                cluster.restart(leader);
                break;
            }
            long ms = (ackAt - killedAt) / 1_000_000;
            unavailable.add(ackAt - killedAt);
            out.println("# " + sys + " failover n=" + n + " killed=" + leader + " unavailable_ms=" + ms + " load1="
                    + String.format(java.util.Locale.ROOT, "%.1f",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            cluster.restart(leader);
        }
        if (!unavailable.isEmpty()) {
            LatencyStats st = LatencyStats.ofNanos(unavailable);
            report.record(sys, Metric.FAILOVER_P50, st.percentileMs(50));
            report.record(sys, Metric.FAILOVER_MAX, st.maxMs());
        }
    }

    /**
     * Time of the first acknowledged write; -1 at the deadline. One client per member, in parallel,
     * each trying its member again and again (a fresh session per attempt, 300 ms timeout), so the
     * result does not depend on which member a client happens to try first.
     */
    private long firstAck(BenchCluster cluster, String prefix, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        AtomicLong ackAt = new AtomicLong(-1);
        List<Thread> clients = new ArrayList<>();
        for (int m = 0; m < cluster.size(); m++) {
            int member = m;
            Thread t = new Thread(() -> {
                for (int attempt = 0; ackAt.get() < 0 && System.nanoTime() < deadline; attempt++) {
                    long start = System.nanoTime();
                    KvSession s = null;
                    try {
                        s = cluster.session(member);
                        s.put(prefix + "-" + run + "-m" + member + "-" + attempt, value, FAILOVER_ATTEMPT_TIMEOUT);
                        ackAt.compareAndSet(-1, System.nanoTime());
                        return;
                    } catch (Exception e) {
                        if (System.nanoTime() - start < FAILOVER_RETRY_PAUSE_MS * 1_000_000) {
                            try {
                                Thread.sleep(FAILOVER_RETRY_PAUSE_MS);
                            } catch (InterruptedException ie) {
                                return;
                            }
                        }
                    } finally {
                        if (s != null) {
                            s.close();
                        }
                    }
                }
            }, "failover-client-" + m);
            t.setDaemon(true);
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000 + 1000));
        }
        return ackAt.get();
    }

    private static int leaderOf(BenchCluster cluster) throws InterruptedException {
        int[] found = {-1};
        waitFor(cluster, "a leader", Duration.ofSeconds(30), () -> {
            OptionalInt l = cluster.leader();
            l.ifPresent(x -> found[0] = x);
            return l.isPresent();
        });
        return found[0];
    }

    static void waitFor(BenchCluster cluster, String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            String exited = cluster.exitedUnexpectedly();
            if (exited != null) {
                throw new IllegalStateException(cluster.system() + ": " + exited + " while waiting for " + what
                        + "; logs in " + cluster.logs());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(cluster.system() + ": timed out after " + timeout.toSeconds()
                        + " s waiting for " + what + "; logs in " + cluster.logs());
            }
            Thread.sleep(20); // poll interval of a condition with a deadline
        }
    }
}
