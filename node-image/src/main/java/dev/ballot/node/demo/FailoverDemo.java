package dev.ballot.node.demo;

import dev.ballot.engine.Protocol;
import dev.ballot.nodeapi.StatusReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * The local failover demo: a real cluster under a steady write load, its leader killed with SIGKILL (or frozen
 * with SIGSTOP, then killed) again and again and restarted, then every acknowledged write read back linearizably.
 */
public final class FailoverDemo {
    /** What one run measured. */
    public record Result(int failovers, int writesAcked, int writesLost, List<Long> unavailableMs,
                         List<Long> electedMs) {
        public long p50() {
            return Percentiles.of(unavailableMs, 50);
        }

        public long p99() {
            return Percentiles.of(unavailableMs, 99);
        }

        /** The cluster's own part of p99: from the fault to the new leader seeing itself elected. */
        public long p99Elected() {
            return Percentiles.of(electedMs, 99);
        }
    }

    /** How the leader is taken down in each failover. */
    public enum Fault {
        /** SIGKILL: the process dies and its sockets close, so its peers hear of it at once. */
        KILL,
        /** SIGSTOP, then SIGKILL once a new leader is elected: a silent leader that only a timeout reveals. */
        FREEZE;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A step that did not happen in time; the message says which, and where the node logs are. */
    public static final class DemoFailure extends Exception {
        public DemoFailure(String message) {
            super(message);
        }
    }

    private final Protocol protocol;
    private final int size;
    private final int failovers;
    private final Fault fault;
    private final DemoTiming timing;
    private final int writers;
    private final List<String> jvmOptions;
    private final PrintStream out;
    private boolean tls = true;

    public FailoverDemo(Protocol protocol, int size, int failovers, Fault fault, DemoTiming timing, int writers,
                        List<String> jvmOptions, PrintStream out) {
        this.protocol = protocol;
        this.size = size;
        this.failovers = failovers;
        this.fault = fault;
        this.timing = timing;
        this.writers = writers;
        this.jvmOptions = jvmOptions;
        this.out = out;
    }

    /** TLS between the nodes and for the writers (the default), or plain TCP ({@code --insecure}). */
    public FailoverDemo tls(boolean on) {
        this.tls = on;
        return this;
    }

    public Result run(Path workDir) throws IOException, InterruptedException, DemoFailure {
        try (LocalCluster cluster = new LocalCluster(protocol, size, timing, workDir, jvmOptions)) {
            javax.net.ssl.SSLContext clientTls = null;
            if (tls) {
                LocalTls certs = cluster.enableTls("Optional");
                try {
                    clientTls = dev.ballot.nodeapi.tls.ReloadingTls.open(certs.client()).context();
                } catch (dev.ballot.nodeapi.tls.TlsException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            out.println("# cluster protocol=" + protocol.wireName() + " nodes=" + size + " fault=" + fault.wireName() + " " + timing.describe(protocol)
                    + " tls=" + (tls ? "on" : "off") + " members=" + cluster.clientAddresses() + " logs=" + workDir);
            cluster.startAll();
            waitFor("all nodes ready", Duration.ofSeconds(60), () -> allReady(cluster), cluster);
            KvClient client = new KvClient(cluster.clientAddresses(), Duration.ofMillis(300), clientTls);
            List<Long> unavailable = new ArrayList<>();
            List<Long> electedMs = new ArrayList<>();
            List<WriteLoad.Ack> acks;
            try (WriteLoad load = new WriteLoad(client, writers, "demo-" + Long.toHexString(System.nanoTime())).start()) {
                for (int n = 1; n <= failovers; n++) {
                    waitFor("all nodes ready and writes flowing before failover " + n, Duration.ofSeconds(60),
                            () -> allReady(cluster) && System.nanoTime() - load.lastAckNanos() < 100_000_000L, cluster);
                    LocalCluster.Leader old = waitForLeader(cluster, 0, Duration.ofSeconds(30));
                    if (fault == Fault.FREEZE) {
                        cluster.freeze(old.id()); // the clock starts once it is stopped: it acks until then
                    }
                    long killedAt = System.nanoTime();
                    java.time.Instant killedWall = java.time.Instant.now();
                    load.startTally(killedAt);
                    if (fault == Fault.KILL) {
                        cluster.kill(old.id());
                    }
                    long[] firstAck = {-1};
                    try {
                        waitFor("an acknowledged write after killing " + cluster.node(old.id()).name(), Duration.ofSeconds(30),
                                () -> (firstAck[0] = load.firstAckStartedAfter(killedAt)) > 0, cluster);
                    } catch (DemoFailure e) {
                        throw new DemoFailure(e.getMessage() + "; the writers' attempts since the fault (count/slowest): "
                                + load.tally());
                    }
                    long ms = (firstAck[0] - killedAt) / 1_000_000;
                    LocalCluster.Leader now = waitForLeader(cluster, old.id(), Duration.ofSeconds(30));
                    if (fault == Fault.FREEZE) {
                        cluster.kill(old.id()); // replaced now: end the stopped process before its restart
                    }
                    unavailable.add(ms);
                    OptionalLong elected = electedAfterMs(cluster, now.id(), killedWall);
                    elected.ifPresent(electedMs::add);
                    String attempts = load.tally();
                    out.println("# n=" + n + " " + fault.wireName() + " " + cluster.node(old.id()).name() + " at " + killedWall
                            + (elected.isEmpty() ? "" : " elected_after_ms=" + elected.getAsLong()
                            + " first_ack_after_election_ms=" + (ms - elected.getAsLong())) + " load1="
                            + String.format(java.util.Locale.ROOT, "%.1f",
                            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
                            + " attempts(count/slowest): " + attempts);
                    out.println("failover protocol=" + protocol.wireName() + " n=" + n + " old=" + old.id() + " new="
                            + now.id() + " term=" + now.term() + " unavailable_ms=" + ms);
                    cluster.start(old.id());
                }
                waitFor("all nodes ready after the last failover", Duration.ofSeconds(60), () -> allReady(cluster), cluster);
                for (LocalCluster.Node node : cluster.nodes()) {
                    cluster.metrics(node.id()).ifPresent(text -> out.println("# " + node.name() + " since its last start: "
                            + MetricsSummary.of(text)));
                }
                load.close();
                acks = load.acks();
            }
            int lost = verify(client, acks);
            return new Result(failovers, acks.size(), lost, unavailable, electedMs);
        }
    }

    /** Read every acknowledged write back, linearizably, in parallel; the count of missing or wrong values. */
    private int verify(KvClient client, List<WriteLoad.Ack> acks) throws InterruptedException, DemoFailure {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> checks = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            for (WriteLoad.Ack a : acks) {
                checks.add(pool.submit(() -> {
                    Optional<String> v = client.get(a.key(), deadline);
                    if (v.isEmpty() || !v.get().equals(a.value())) {
                        out.println("lost key=" + a.key() + " expected=" + a.value() + " found=" + v.orElse("<absent>"));
                        return false;
                    }
                    return true;
                }));
            }
            int lost = 0;
            for (Future<Boolean> f : checks) {
                try {
                    if (!f.get()) {
                        lost++;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new DemoFailure("reading back acknowledged writes failed: " + e.getCause().getMessage());
                }
            }
            return lost;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Kill to the new leader's {@code leaderSince}: the election's share of the unavailability, the rest being
     * the first write's round trip. Same machine, same clock. Empty when the new leader does not answer.
     */
    private static OptionalLong electedAfterMs(LocalCluster cluster, long leader, java.time.Instant killed) {
        return cluster.status(leader).map(StatusReport::leaderSinceInstant)
                .map(since -> OptionalLong.of(Duration.between(killed, since).toMillis()))
                .orElse(OptionalLong.empty());
    }

    private static boolean allReady(LocalCluster cluster) {
        return cluster.nodes().stream().allMatch(n -> cluster.ready(n.id()));
    }

    private static LocalCluster.Leader waitForLeader(LocalCluster cluster, long notId, Duration timeout)
            throws InterruptedException, DemoFailure {
        LocalCluster.Leader[] found = {null};
        waitFor("a leader other than node-" + notId, timeout, () -> {
            Optional<LocalCluster.Leader> l = cluster.leader();
            l.filter(x -> x.id() != notId).ifPresent(x -> found[0] = x);
            return found[0] != null;
        }, cluster);
        return found[0];
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition, LocalCluster cluster)
            throws InterruptedException, DemoFailure {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                List<String> evidence = cluster.captureEvidence("failure");
                throw new DemoFailure("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; node logs: " + cluster.workDir()
                        + (evidence.isEmpty() ? "" : "; thread dumps, status and metrics there: " + String.join(", ", evidence)));
            }
            Thread.sleep(10); // polling interval of a condition with a deadline, not a guess at timing
        }
    }

    public static Path tempWorkDir(Protocol protocol) throws IOException {
        return Files.createTempDirectory("ballot-demo-" + protocol.wireName() + "-");
    }
}
