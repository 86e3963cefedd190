package dev.ballot.node.cli;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.FailoverDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ballot-node demo}: a local multi-process cluster whose leader is killed K times. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a local multi-process cluster on loopback, kill its leader with SIGKILL (or freeze it) K times "
                + "(restarting it), then read back every acknowledged write. Exit 1 if any was lost.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--protocol", required = true, description = "raft or zab")
    String protocol;

    @Option(names = "--nodes", defaultValue = "3", description = "3 or 5 (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--failovers", defaultValue = "10", description = "leader kills (default ${DEFAULT-VALUE})")
    int failovers;

    @Option(names = "--seed-timing", description = "use the seed's timing (Raft 150-300 ms election, 50 ms heartbeat; "
            + "ZAB tickTime 50 ms, initLimit 10, syncLimit 4); this is also the default")
    boolean seedTiming;

    @Option(names = "--election-timeout-ms", split = "-", description = "Raft election timeout range, e.g. 150-300")
    List<Long> electionTimeout;

    @Option(names = "--heartbeat-ms", description = "Raft heartbeat interval")
    Long heartbeatMs;

    @Option(names = "--tick-time-ms", description = "ZAB tickTime")
    Long tickTimeMs;

    @Option(names = "--sync-limit", description = "ZAB syncLimit (ticks)")
    Integer syncLimit;

    @Option(names = "--fault", defaultValue = "kill", description = "kill: SIGKILL the leader (its peers see its "
            + "connections close); freeze: SIGSTOP it, so only the election timeout can notice, then SIGKILL it once "
            + "a new leader is elected (default ${DEFAULT-VALUE})")
    String fault;

    @Option(names = "--writers", defaultValue = "4", description = "concurrent writing clients (default ${DEFAULT-VALUE})")
    int writers;

    @Option(names = "--insecure", description = "plain TCP between the nodes and for the writers, to compare with the"
            + " default: mutual TLS 1.3 between nodes and HTTPS with client certificates (a CA made for the demo)")
    boolean insecure;

    @Option(names = "--keep", description = "keep the temporary data, config and log directory")
    boolean keep;

    @Option(names = "--node-jvm-options", split = " ",
            defaultValue = "-Xms32m -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k",
            description = "JVM options of each node process (default: ${DEFAULT-VALUE})")
    List<String> nodeJvmOptions;

    @Override
    public Integer call() throws Exception {
        Protocol p;
        try {
            p = Protocol.valueOf(protocol.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("ballot-node demo: --protocol must be raft or zab, got '" + protocol + "'");
            return 2;
        }
        if (nodes != 3 && nodes != 5) {
            System.err.println("ballot-node demo: --nodes must be 3 or 5, got " + nodes);
            return 2;
        }
        if (failovers < 0 || writers < 1) {
            System.err.println("ballot-node demo: --failovers must be >= 0 and --writers >= 1");
            return 2;
        }
        DemoTiming t = DemoTiming.SEED;
        if (!seedTiming) {
            if (electionTimeout != null && electionTimeout.size() != 2) {
                System.err.println("ballot-node demo: --election-timeout-ms takes a range such as 150-300");
                return 2;
            }
            t = new DemoTiming(
                    electionTimeout == null ? t.electionMin() : Duration.ofMillis(electionTimeout.get(0)),
                    electionTimeout == null ? t.electionMax() : Duration.ofMillis(electionTimeout.get(1)),
                    heartbeatMs == null ? t.heartbeat() : Duration.ofMillis(heartbeatMs),
                    tickTimeMs == null ? t.zabTick() : Duration.ofMillis(tickTimeMs),
                    t.initLimit(), syncLimit == null ? t.syncLimit() : syncLimit);
        }
        FailoverDemo.Fault f;
        try {
            f = FailoverDemo.Fault.valueOf(fault.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.err.println("ballot-node demo: --fault must be kill or freeze, got '" + fault + "'");
            return 2;
        }
        Path work = FailoverDemo.tempWorkDir(p);
        FailoverDemo demo = new FailoverDemo(p, nodes, failovers, f, t, writers, nodeJvmOptions, System.out).tls(!insecure);
        FailoverDemo.Result r;
        try {
            r = demo.run(work);
        } catch (FailoverDemo.DemoFailure e) {
            System.err.println("ballot-node demo: " + e.getMessage());
            return 1;
        }
        System.out.println("demo protocol=" + p.wireName() + " nodes=" + nodes + " failovers=" + r.failovers()
                + " writes_acked=" + r.writesAcked() + " writes_lost=" + r.writesLost()
                + " p50_unavailable_ms=" + r.p50() + " p99_unavailable_ms=" + r.p99()
                + " p99_elected_ms=" + r.p99Elected() + (f == FailoverDemo.Fault.KILL ? "" : " fault=" + f.wireName())
                + " tls=" + (insecure ? "off" : "on"));
        if (!keep && r.writesLost() == 0) {
            new dev.ballot.node.demo.LocalCluster.Cleanup(work).run();
        } else {
            System.out.println("# data, configs and logs kept in " + work);
        }
        return r.writesLost() == 0 ? 0 : 1;
    }
}
