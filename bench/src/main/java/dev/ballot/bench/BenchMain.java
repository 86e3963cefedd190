package dev.ballot.bench;

import dev.ballot.engine.Protocol;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench/run}: Ballot (Raft and ZAB), etcd and ZooKeeper, three members each, one after the
 * other in the same run on this machine; one line per measurement and a table of ratios at the end.
 */
@Command(name = "ballot-bench", mixinStandardHelpOptions = true,
        description = "Ballot against etcd and ZooKeeper on loopback, reported as ratios.")
public final class BenchMain implements Callable<Integer> {
    static final List<String> ALL = List.of("ballot-raft", "ballot-zab", "etcd", "zookeeper");
    /** ZooKeeper's servers: the same heap bound and collector as Ballot's members. */
    static final List<String> SERVER_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /**
     * Ballot's members: the node image's JVM flags (node-image/pom.xml, jib entrypoint) with the heap bound
     * given absolutely (the image's is a percentage of the pod's memory limit; a bench process has none).
     */
    static final String BALLOT_JVM = "-Xms32m -Xmn4m -Xmx256m -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
            + " -Xss512k -XX:ReservedCodeCacheSize=48m -XX:MaxMetaspaceSize=96m -XX:CICompilerCount=2 -XX:TieredStopAtLevel=1"
            + " -Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled -Dio.grpc.netty.shaded.io.netty.jfr.enabled=false";

    @Option(names = "--systems", split = ",", description = "any of ballot-raft,ballot-zab,etcd,zookeeper (default all)")
    List<String> systems = ALL;

    @Option(names = "--client", description = "native: every system with its own protocol's client (jetcd for"
            + " etcd and ballot-raft's etcd API, the ZooKeeper Java client for zookeeper and ballot-zab's ZooKeeper port);"
            + " http: Ballot's HTTP key-value API and etcd's JSON gateway (ZooKeeper keeps its client) (default ${DEFAULT-VALUE})")
    String client = "native";

    @Option(names = "--writes", description = "sequential writes, and total of the concurrent phase (default ${DEFAULT-VALUE})")
    int writes = 2000;

    @Option(names = "--clients", split = ",", description = "concurrent clients, one write phase per count (default 8,64)")
    List<Integer> clients = List.of(8, 64);

    @Option(names = "--reads", description = "linearizable reads (default ${DEFAULT-VALUE})")
    int reads = 1000;

    @Option(names = "--failovers", description = "faults of each kind per system; 20 or more for a p99 (default ${DEFAULT-VALUE})")
    int failovers = 5;

    @Option(names = "--faults", split = ",", description = "kill (SIGKILL the leader) and/or freeze (SIGSTOP it, SIGKILL once replaced) (default kill,freeze)")
    List<String> faults = List.of("kill", "freeze");

    @Option(names = "--warmup", description = "unrecorded writes before measuring (default ${DEFAULT-VALUE})")
    int warmup = 200;

    @Option(names = "--phase-limit-s", description = "time bound of each load phase in seconds (default ${DEFAULT-VALUE})")
    int phaseLimitSeconds = 120;

    @Option(names = "--ballot-jvm", description = "JVM options of every Ballot member, space-separated (default: the "
            + "node image's: " + BALLOT_JVM + ")")
    String ballotJvm = BALLOT_JVM;

    @Option(names = "--etcd-heartbeat-ms", description = "etcd's --heartbeat-interval, also its tick (default "
            + "${DEFAULT-VALUE}: etcd's election timeout then fires 140-290 ms after the leader's last message, as Ballot's"
            + " 140-300; with 30, 120-270 ms)")
    int etcdHeartbeatMs = EtcdBenchCluster.DEFAULT_HEARTBEAT_MS;

    @Option(names = "--etcd", description = "the etcd program (default: etcd on PATH)")
    String etcd;

    @Option(names = "--keep", description = "keep data and logs in the work directory")
    boolean keep;

    @Option(names = "--tls", description = "TLS on, client certificates required everywhere: Ballot's peers over mutual"
            + " TLS 1.3 and its HTTP, etcd and ZooKeeper ports over TLS; etcd with --client-cert-auth and peer TLS;"
            + " ZooKeeper with a secureClientPort and quorum TLS. Each system's client speaks TLS with a certificate from"
            + " its cluster's CA: jetcd (gRPC over TLS) and the ZooKeeper client (secure mode, Netty) with --client native,"
            + " one HTTPS client for Ballot and etcd with --client http")
    boolean tls;

    /** Refuses bad options before anything starts, naming the option and what it takes (picocli exit code 2). */
    void validate() {
        for (String s : systems) {
            if (!ALL.contains(s)) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--systems: unknown system '" + s + "'; use any of " + String.join(",", ALL));
            }
        }
        for (String f : faults) {
            if (!f.equals("kill") && !f.equals("freeze")) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--faults: unknown fault '" + f + "'; use kill, freeze or kill,freeze");
            }
        }
        if (!client.equals("native") && !client.equals("http")) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--client: unknown client '" + client + "'; use native (each system's own protocol) or http");
        }
        if (writes < 1 || clients.stream().anyMatch(c -> c < 1) || reads < 1 || failovers < 0 || warmup < 0 || phaseLimitSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--writes, --clients, --reads and --phase-limit-s must be >= 1; --failovers and --warmup >= 0");
        }
        if (etcdHeartbeatMs < 1 || etcdHeartbeatMs * 5 > EtcdBenchCluster.ELECTION_TIMEOUT_MS) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--etcd-heartbeat-ms " + etcdHeartbeatMs
                    + ": etcd needs 1 to " + EtcdBenchCluster.ELECTION_TIMEOUT_MS / 5 + " (its election timeout, "
                    + EtcdBenchCluster.ELECTION_TIMEOUT_MS + " ms, must be at least 5 heartbeats)");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        BenchOptions o = new BenchOptions();
        o.writes = writes;
        o.clients = clients;
        o.reads = reads;
        o.failovers = failovers;
        o.faults = List.copyOf(faults);
        o.warmup = warmup;
        o.phaseLimit = Duration.ofSeconds(phaseLimitSeconds);
        Report report = new Report(System.out);
        Workloads load = new Workloads(o, report, System.out);
        Path work = Files.createTempDirectory("ballot-bench-");
        System.out.println("# ballot-bench writes=" + writes + " clients=" + clients + " reads=" + reads + " failovers="
                + failovers + " faults=" + String.join(",", faults) + " " + Failovers.describe() + " client=" + client
                + " tls=" + (tls ? "on" : "off") + " value_bytes="
                + o.valueBytes + " cpus=" + Runtime.getRuntime().availableProcessors() + " ballot_jvm=\"" + ballotJvm + "\" MALLOC_ARENA_MAX=" + System.getenv().getOrDefault("MALLOC_ARENA_MAX", "")
                + " loadavg="
                + Report.loadAverage() + " work=" + work);
        for (String s : systems) {
            Path dir = Files.createDirectories(work.resolve(s));
            BenchCluster cluster;
            try {
                cluster = create(s, dir, report);
            } catch (Exception e) {
                report.skip(s, "could not set up: " + e);
                continue;
            }
            if (cluster == null) {
                continue;
            }
            try (cluster) {
                load.runAll(cluster);
            } catch (Exception e) {
                report.skip(s, "stopped by " + e);
            }
        }
        System.out.println();
        System.out.print(report.table());
        if (!keep) {
            new dev.ballot.node.demo.LocalCluster.Cleanup(work).run();
        }
        return 0;
    }

    private BenchCluster create(String system, Path dir, Report report) throws Exception {
        switch (system) {
            case "ballot-raft":
                return new BallotBenchCluster(Protocol.RAFT, dir, ballotJvmOptions(), nativeClients(), tls);
            case "ballot-zab":
                return new BallotBenchCluster(Protocol.ZAB, dir, ballotJvmOptions(), nativeClients(), tls);
            case "etcd": {
                String bin = etcd != null ? etcd : EtcdBenchCluster.findBinary().orElse(null);
                if (bin == null || !Files.isExecutable(Path.of(bin))) {
                    report.skip("etcd", "no etcd program (" + (bin == null ? "not on PATH" : bin + " not executable")
                            + "); install it with `apt-get install -y etcd-server` or pass --etcd PATH");
                    return null;
                }
                return new EtcdBenchCluster(bin, dir, nativeClients(), tls, etcdHeartbeatMs);
            }
            case "zookeeper":
                return new ZooKeeperBenchCluster(dir, SERVER_JVM, tls);
            default:
                throw new IllegalArgumentException(system);
        }
    }

    private boolean nativeClients() {
        return client.equals("native");
    }

    private List<String> ballotJvmOptions() {
        return List.of(ballotJvm.trim().split("\\s+"));
    }

    public static void main(String[] args) {
        // the ZooKeeper client warns at every refused connection, which failover attempts provoke on purpose
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
