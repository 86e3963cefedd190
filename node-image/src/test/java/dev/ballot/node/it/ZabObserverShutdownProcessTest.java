package dev.ballot.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.StatusSubscription;
import dev.ballot.nodeapi.tls.ReloadingTls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The e2e journey's slow delete (docs/e2e.md): the ZAB example cluster's observer, {@code zab-5-5}, outlived its pod's
 * 30 s grace after SIGTERM. Here the same shape on real processes: five voters and one observer, mutual TLS, the
 * ZooKeeper port with a client session on every member (an ephemeral node each, so sessions have state to close) and
 * an operator-like {@code /v1/status/events} subscription on every member that resubscribes when its stream ends.
 * Then SIGTERM to all at once, to the voters first and the observer once they are gone, or to the leader of a lost
 * quorum (see {@link Order}): every member must exit within {@link #EXIT_BUDGET} of its own signal. On failure the
 * member's log tail and a thread dump of what is still running are printed.
 *
 * <p>None of these reproduced the journey's 30 s on processes (every member exited in 0.35-2.5 s, before and after
 * the close steps got deadlines; docs/e2e.md): the test keeps the observer's shapes covered.
 */
class ZabObserverShutdownProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    /** The example's timing (examples/zab-5-observer.yaml): tickTime 2000 ms, initLimit 10, syncLimit 5. */
    private static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(100), Duration.ofMillis(2000), 10, 5);
    private static final int VOTERS = 5;
    private static final int OBSERVERS = 1;
    /** The hand-off attempt (2 s) and closing, with room for this shared 2-core machine; the kubelet allows 30 s. */
    private static final Duration EXIT_BUDGET = Duration.ofSeconds(12);

    enum Order {
        ALL_AT_ONCE,
        /**
         * Voters first, and then their addresses answer nothing, as a deleted pod's IP does (no refusal: a dial
         * waits for its timeout), before the observer's SIGTERM. (Voters first without that exited as fast.)
         */
        VOTERS_VANISH,
        /**
         * The e2e's quorum-loss recovery: every voter but the leader SIGKILLed and gone (their addresses answer
         * nothing), the leader left without a quorum; then SIGTERM to it, and last to the observer.
         */
        QUORUM_LOST
    }

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    // One shape in the suite, the delete's (where CI's observer outlived its 30 s grace): each shape costs ~50 s of
    // CI's two cores. The other shapes stay in Order for a run by hand (list them in names); none of the three
    // reproduced the hang on processes (docs/e2e.md).
    @ParameterizedTest
    @EnumSource(value = Order.class, names = "VOTERS_VANISH")
    @Timeout(240)
    void everyMemberExitsSoonAfterSigterm(Order order) throws Exception {
        List<AutoCloseable> clients = new ArrayList<>();
        try (LocalCluster cluster = new LocalCluster(Protocol.ZAB, VOTERS, OBSERVERS, TIMING, work, NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Optional");
            cluster.enableZooKeeper();
            cluster.startAll();
            await("all members ready (logs in " + work + ")").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));
            await("a leader").atMost(Duration.ofSeconds(30)).until(cluster::leader, Optional::isPresent);

            NodeClient operator = NodeClient.create(Duration.ofSeconds(2), Duration.ofSeconds(5), null,
                    ReloadingTls.open(tls.operator()).context());
            for (LocalCluster.Node n : cluster.nodes()) {
                clients.add(new Resubscriber(operator, cluster.clientAddress(n.id())));
                ZooKeeper zk = session(cluster.zooKeeperAddress(n.id()), tls);
                clients.add(zk::close);
                zk.create("/shutdown-" + n.id(), "x".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL);
            }

            List<LocalCluster.Node> voters = cluster.nodes().subList(0, VOTERS);
            List<LocalCluster.Node> observers = cluster.nodes().subList(VOTERS, VOTERS + OBSERVERS);
            Map<String, Long> exits = new LinkedHashMap<>();
            if (order == Order.ALL_AT_ONCE) {
                exits.putAll(terminate(cluster.nodes()));
            } else if (order == Order.QUORUM_LOST) {
                long kept = cluster.leader().orElseThrow().id();
                for (LocalCluster.Node v : voters) {
                    if (v.id() != kept) {
                        cluster.kill(v.id());
                        clients.addAll(blackHoles(cluster, v.id()));
                    }
                }
                await("member " + kept + " knows it lost its quorum").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> cluster.status(kept).map(st -> st.leaderId() == null).orElse(false));
                exits.putAll(terminate(List.of(cluster.node(kept))));
                exits.putAll(terminate(observers));
            } else {
                exits.putAll(terminate(voters));
                if (order == Order.VOTERS_VANISH) {
                    for (LocalCluster.Node v : voters) {
                        clients.addAll(blackHoles(cluster, v.id()));
                    }
                }
                exits.putAll(terminate(observers));
            }
            System.out.println("ZabObserverShutdownProcessTest " + order + ": ms from SIGTERM to exit " + exits
                    + " (load " + loadAverage() + ")");
            for (LocalCluster.Node n : cluster.nodes()) {
                Files.readString(n.log()).lines().filter(l -> l.contains(": stopped in ")).findFirst()
                        .ifPresent(l -> System.out.println("  " + l));
            }
        } finally {
            for (AutoCloseable c : clients) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // the members are gone; the clients' own threads are what is left to stop
                }
            }
        }
    }

    /** Every address of member {@code id} (peer, election, HTTP, ZooKeeper) made to answer nothing. */
    private static List<BlackHole> blackHoles(LocalCluster cluster, long id) throws IOException {
        String[] peer = cluster.peerAddress(id).split(":");
        List<BlackHole> holes = new ArrayList<>();
        for (String address : List.of(peer[0] + ":" + peer[1], peer[0] + ":" + peer[2], cluster.clientAddress(id),
                cluster.zooKeeperAddress(id))) {
            holes.add(BlackHole.at(address));
        }
        return holes;
    }

    /** SIGTERM to every one of {@code nodes} at once; waits for each to exit; ms from the signal to each exit. */
    private Map<String, Long> terminate(List<LocalCluster.Node> nodes) throws Exception {
        List<Process> processes = nodes.stream().map(LocalCluster.Node::process).toList();
        long signalled = System.nanoTime();
        processes.forEach(Process::destroy);
        Map<String, Long> exits = new LinkedHashMap<>();
        List<String> late = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Process p = processes.get(i);
            LocalCluster.Node n = nodes.get(i);
            long left = EXIT_BUDGET.toNanos() - (System.nanoTime() - signalled);
            if (!p.waitFor(Math.max(1, left), TimeUnit.NANOSECONDS)) {
                late.add(n.name() + " (pid " + p.pid() + ") still running " + EXIT_BUDGET + " after SIGTERM; threads:\n"
                        + threadDump(p) + "\nits log " + n.log() + " ends:\n" + tail(n.log()));
                continue;
            }
            exits.put(n.name(), (System.nanoTime() - signalled) / 1_000_000);
        }
        for (int i = 0; i < nodes.size(); i++) {
            LocalCluster.Node n = nodes.get(i);
            Process p = processes.get(i);
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor();
                exits.put(n.name() + "(killed)", (System.nanoTime() - signalled) / 1_000_000);
            }
        }
        assertThat(late).as("members that did not exit in time (exits so far %s)", exits).isEmpty();
        for (LocalCluster.Node n : nodes) {
            assertThat(n.process().exitValue()).as("%s's exit code; log %s", n.name(), n.log()).isZero();
            assertThat(Files.readString(n.log())).as("%s's log", n.name()).contains(": stopped");
        }
        return exits;
    }

    private static ZooKeeper session(String address, LocalTls tls) throws Exception {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty("zookeeper.ssl.trustStore.location", tls.client().resolve("ca.crt").toString());
        config.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        Path keyStore = tls.client().resolve("keystore.pem");
        if (!Files.exists(keyStore)) {
            Files.writeString(keyStore, Files.readString(tls.client().resolve("tls.key"))
                    + Files.readString(tls.client().resolve("tls.crt")));
        }
        config.setProperty("zookeeper.ssl.keyStore.location", keyStore.toString());
        config.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(address, 20_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        }, config);
        if (!up.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new AssertionError("no ZooKeeper session with " + address + " in 30 s");
        }
        return zk;
    }

    /** As the operator watches a member: subscribed to its status events, again whenever the stream ends. */
    private static final class Resubscriber implements AutoCloseable {
        private final NodeClient client;
        private final String address;
        private volatile boolean closed;
        private volatile StatusSubscription current;

        Resubscriber(NodeClient client, String address) {
            this.client = client;
            this.address = address;
            subscribe();
        }

        private void subscribe() {
            if (closed) {
                return;
            }
            StatusSubscription s = client.at(address).subscribeStatus(status -> { });
            current = s;
            s.done().whenComplete((v, e) -> {
                if (!closed) {
                    try {
                        Thread.sleep(200); // the operator's reconnect is not a busy loop either
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    subscribe();
                }
            });
        }

        @Override
        public void close() {
            closed = true;
            StatusSubscription s = current;
            if (s != null) {
                s.cancel();
            }
        }
    }

    private static String threadDump(Process p) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
            byte[] out = jcmd.getInputStream().readAllBytes();
            jcmd.waitFor(20, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(jcmd failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log);
        return s.substring(Math.max(0, s.length() - 4000));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
