package dev.ballot.bench;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The measurements, identical for every system. Every loop is bounded both in count and in time.
 */
final class Workloads {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Attempts of a session's unmeasured first write before the system is stopped ({@link #connect}). */
    static final int CONNECT_ATTEMPTS = 3;

    private final BenchOptions options;
    private final Report report;
    private final PrintStream out;
    private final String run = Long.toHexString(System.nanoTime());
    private final byte[] value;
    /** Phases whose first failed request was printed already. */
    private final java.util.Set<String> firstErrors = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
        for (int clients : options.clients) {
            concurrent(cluster, leader, clients);
            leader = noteLeaderChange(cluster, leader, clients + " concurrent clients' writes");
        }
        reads(cluster, leader);
        noteLeaderChange(cluster, leader, "linearizable reads");
        memory(cluster);
        Failovers failovers = new Failovers(cluster, report, out, run, value);
        try {
            for (String fault : options.faults) {
                failovers.measure(fault, options.failovers);
            }
            flightRecordings(cluster, "-after-faults");
        } finally {
            failovers.close();
        }
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
                // one line per phase: the concurrent clients' prefixes differ only in their number
                if (errors++ == 0 && firstErrors.add(prefix.replaceAll("-conc[0-9]+$", "-conc"))) {
                    out.println("# first error in " + prefix + ": " + e);
                }
            }
        }
        return errors;
    }

    private void concurrent(BenchCluster cluster, int leader, int clients) throws Exception {
        String sys = cluster.system();
        int perClient = Math.max(1, options.writes / clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<KvSession> sessions = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                sessions.add(cluster.session(leader));
            }
            for (KvSession s : sessions) { // connect each session before the clock starts
                connect(s, sys + "-conn-" + run + "-" + System.identityHashCode(s));
            }
            List<Long> lat = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger errors = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                KvSession s = sessions.get(c);
                String prefix = sys + "-c" + clients + "-conc" + c; // unique per phase: ZooKeeper refuses an existing znode
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
                    Metric.concurrent(clients, "ops_per_s"), Metric.concurrent(clients, "p50_ms"),
                    Metric.concurrent(clients, "p99_ms"));
        } finally {
            sessions.forEach(KvSession::close);
            pool.shutdownNow();
        }
    }

    /**
     * A session's first write, unmeasured, tried up to {@link #CONNECT_ATTEMPTS} times: on a loaded machine a new
     * session's connect (with {@code --tls} its handshake) can miss the client's own deadline, and the ZooKeeper client
     * then reports ConnectionLoss and connects again by itself. Each attempt writes its own key (ZooKeeper refuses an
     * existing znode, and the lost attempt may have been applied). The last failure stops the system as before.
     */
    private void connect(KvSession s, String key) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                s.put(key + "-" + attempt, value, REQUEST_TIMEOUT);
                return;
            } catch (Exception e) {
                if (attempt == CONNECT_ATTEMPTS) {
                    throw e;
                }
                if (firstErrors.add(key.replaceAll("-[0-9]+$", "") + "-connect")) {
                    out.println("# a session's connecting write failed (attempt " + attempt + " of " + CONNECT_ATTEMPTS
                            + ", tried again): " + e);
                }
            }
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
     * Each member's memory after the write and read load, before any fault: one line per member, and the
     * largest VmRSS and Pss of the three as the system's figures.
     */
    private void memory(BenchCluster cluster) {
        String sys = cluster.system();
        long rssMax = -1;
        long pssMax = -1;
        for (int m = 0; m < cluster.size(); m++) {
            Process p = cluster.process(m);
            if (p == null) {
                continue;
            }
            OptionalLong rss = ProcessMemory.rssKiB(p.pid());
            OptionalLong pss = ProcessMemory.pssKiB(p.pid());
            out.println("# " + sys + " memory member=" + m + " pid=" + p.pid() + " rss_kib="
                    + (rss.isPresent() ? rss.getAsLong() : "n/a") + " pss_kib=" + (pss.isPresent() ? pss.getAsLong() : "n/a")
                    + " threads=" + ProcessMemory.threads(p.pid()).orElse(-1)
                    + " loadavg=" + Report.loadAverage());
            if (Boolean.getBoolean("bench.nmt")) { // with -XX:NativeMemoryTracking=summary in --ballot-jvm
                nativeMemory(p);
            }
            String jcmds = System.getProperty("bench.jcmd"); // e.g. "VM.classloader_stats;GC.heap_info"
            if (jcmds != null) {
                for (String command : jcmds.split(";")) {
                    jcmd(p, command.trim().split("\\s+")).forEach(l -> out.println("# jcmd pid=" + p.pid() + " " + l));
                }
            }
            if (Boolean.getBoolean("bench.smaps")) {
                ProcessMemory.largestMappings(p.pid(), 12).forEach(l -> out.println("# smaps pid=" + p.pid() + " " + l));
            }
            rssMax = Math.max(rssMax, rss.orElse(-1));
            pssMax = Math.max(pssMax, pss.orElse(-1));
        }
        flightRecordings(cluster, "");
        if (rssMax > 0) {
            report.record(sys, Metric.MEMBER_RSS_MAX, rssMax / 1024.0);
        }
        if (pssMax > 0) {
            report.record(sys, Metric.MEMBER_PSS_MAX, pssMax / 1024.0);
        }
    }

    /** {@code jcmd <pid> VM.native_memory summary}, each line prefixed: where a JVM member's memory goes. */
    private void nativeMemory(Process p) {
        jcmd(p, "VM.native_memory", "summary").stream().filter(l -> l.contains("committed=") || l.startsWith("failed"))
                .forEach(l -> out.println("# nmt pid=" + p.pid() + " " + l.trim()));
    }

    /** The lines {@code jcmd <pid> <command...>} prints, or one "failed: ..." line. */
    private static java.util.List<String> jcmd(Process p, String... command) {
        try {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                    java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid())));
            args.addAll(java.util.List.of(command));
            Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
            String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor(30, TimeUnit.SECONDS);
            return text.lines().toList();
        } catch (Exception e) {
            return java.util.List.of("failed: " + e);
        }
    }

    /**
     * With {@code -Dbench.jfr=DIR} (and {@code -XX:StartFlightRecording} in --ballot-jvm): the recording of every
     * running member, as {@code <system>-member<m><suffix>.jfr}; after the load, and after the faults (the new
     * leaders' first writes are in those).
     */
    private void flightRecordings(BenchCluster cluster, String suffix) {
        String jfrDir = System.getProperty("bench.jfr");
        if (jfrDir == null) {
            return;
        }
        for (int m = 0; m < cluster.size(); m++) {
            Process p = cluster.process(m);
            if (p != null && p.isAlive()) {
                dumpFlightRecording(p, java.nio.file.Path.of(jfrDir, cluster.system() + "-member" + m + suffix + ".jfr"));
            }
        }
    }

    /**
     * {@code jcmd <pid> JFR.dump}: the members are ended with SIGKILL, so a recording must be dumped while they
     * run, after the load it profiles.
     */
    private void dumpFlightRecording(Process p, java.nio.file.Path file) {
        try {
            Process jcmd = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(p.pid()), "JFR.dump", "filename=" + file.toAbsolutePath()).redirectErrorStream(true).start();
            jcmd.getInputStream().readAllBytes();
            jcmd.waitFor(30, TimeUnit.SECONDS);
            out.println("# jfr pid=" + p.pid() + " file=" + file);
        } catch (Exception e) {
            out.println("# jfr pid=" + p.pid() + " failed: " + e);
        }
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
