package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What kept the first acknowledged write 180-270 ms (and under load seconds) behind a new leader's election, on real
 * processes, asserted on its causes rather than on latencies that only a quiet machine meets (docs/bench.md, "The
 * first write after an election"). Elections are slower than the seed's (500-1000 ms) so that the load of a shared
 * machine does not add elections of its own; the bounds below are seconds, where the old behaviour took the whole
 * forward deadline (5 s) or session timeout (30 s here).
 * <ul>
 *   <li>Raft (etcd API): a member that says it is ready serves its etcd port; once the others elect a successor to a
 *   frozen leader, the follower holds a connection to the new leader's etcd port without any client having sent it a
 *   request (it connects when it learns of the leader, not on the first forward); and a write that the follower had
 *   forwarded to the frozen leader ends soon after the new leader is known instead of waiting out its deadline.</li>
 *   <li>ZAB (ZooKeeper protocol): a session opened at a follower right after its leader froze (its handshake is a
 *   write routed to that leader) is served soon after the new leader is established, instead of waiting out the
 *   session timeout on the frozen leader.</li>
 * </ul>
 * Node logs are kept on failure, their path printed.
 */
class FirstWriteAfterElectionProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(100), Duration.ofMillis(100), 10, 5);
    /** Far above an election plus a heartbeat on a loaded machine, far below the 5 s forward deadline. */
    private static final Duration AFTER_ELECTION = Duration.ofMillis(2_500);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(180)
    void raftFollowersConnectToTheNewLeaderAndStopWaitingOnTheFrozenOne() throws Exception {
        System.out.println("FirstWriteAfterElectionProcessTest raft: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, TIMING, work, NODE_JVM)) {
            cluster.enableEtcd();
            cluster.startAll();
            long leader = awaitLeader(cluster, 0);
            long follower = memberOtherThan(cluster, leader, 0);

            // Ready means the client protocol is served: restart a follower and catch the first moment it is ready.
            cluster.kill(follower);
            cluster.start(follower);
            await("member " + follower + " ready again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> cluster.ready(follower));
            assertThat(accepts(cluster.etcdEndpoint(follower)))
                    .as("the etcd port of a member that has just said it is ready accepts connections").isTrue();
            await("member " + follower + " follows " + leader).atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.status(follower).map(s -> ("node-" + leader).equals(s.leaderId())).orElse(false));

            try (Client viaFollower = Client.builder().endpoints(cluster.etcdEndpoint(follower)).retryMaxAttempts(0).build()) {
                // the client's connection up first, so that the next write reaches the follower while it still
                // names the frozen leader, and is forwarded to it
                viaFollower.getKVClient().put(bytes("before"), bytes("v")).get(30, TimeUnit.SECONDS);
                cluster.freeze(leader);
                CompletableFuture<?> stranded = viaFollower.getKVClient()
                        .put(bytes("stranded"), bytes("v")).handle((r, t) -> t == null ? "ok" : String.valueOf(t));
                long successor = awaitLeader(cluster, leader);
                long electedAt = System.nanoTime();

                Object outcome = stranded.get(30, TimeUnit.SECONDS);
                long endedAfterMs = (System.nanoTime() - electedAt) / 1_000_000;
                System.out.println("write forwarded to the frozen leader ended " + endedAfterMs + " ms after the new"
                        + " leader was seen: " + outcome);
                assertThat(Duration.ofMillis(endedAfterMs))
                        .as("a write forwarded to the frozen leader ends once the new leader is known (was: its 5 s"
                                + " deadline); outcome " + outcome)
                        .isLessThan(AFTER_ELECTION);
                assertThat(String.valueOf(outcome)).as("acknowledged, or etcd's 'leader changed' (outcome unknown)")
                        .matches("ok|.*leader changed.*");

                long other = memberOtherThan(cluster, leader, successor);
                String target = cluster.etcdEndpoint(successor).replace("http://", "");
                await("member " + other + " connected to the new leader's etcd port " + target + " with no client request")
                        .atMost(AFTER_ELECTION).pollInterval(Duration.ofMillis(20))
                        .until(() -> holdsConnection(cluster.node(other).process().pid(), target));

                try (Client viaOther = Client.builder().endpoints(cluster.etcdEndpoint(other)).retryMaxAttempts(0).build()) {
                    viaOther.getKVClient().put(bytes("after"), bytes("v")).get(10, TimeUnit.SECONDS);
                }
            } finally {
                cluster.kill(leader);
            }
        }
    }

    @Test
    @Timeout(180)
    void zabSessionsOpenedOnAFollowerAreServedOnceTheNewLeaderIsUp() throws Exception {
        System.out.println("FirstWriteAfterElectionProcessTest zab: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.ZAB, 3, TIMING, work, NODE_JVM)) {
            cluster.enableZooKeeper();
            Map<String, String> env = Map.of("BALLOT_MAXSESSIONTIMEOUT", "30000");
            for (LocalCluster.Node n : cluster.nodes()) {
                cluster.start(n.id(), env);
            }
            long leader = awaitLeader(cluster, 0);
            long follower = memberOtherThan(cluster, leader, 0);
            await("all members ready").atMost(Duration.ofSeconds(60))
                    .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));

            cluster.freeze(leader);
            CountDownLatch connected = new CountDownLatch(1);
            // The session's creation is a write the follower routes to its leader, the frozen one.
            ZooKeeper zk = new ZooKeeper(cluster.zooKeeperAddress(follower), 30_000, e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    connected.countDown();
                }
            });
            try {
                awaitLeader(cluster, leader);
                long electedAt = System.nanoTime();
                assertThat(connected.await(30, TimeUnit.SECONDS)).as("a session at the follower").isTrue();
                zk.create("/after", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                long servedAfterMs = (System.nanoTime() - electedAt) / 1_000_000;
                System.out.println("session opened during the freeze served " + servedAfterMs + " ms after the new"
                        + " leader was seen");
                // the ZooKeeper client reconnects after a random pause of up to 1 s: the bound allows it
                assertThat(Duration.ofMillis(servedAfterMs))
                        .as("served once the new leader is up (was: after the 30 s session timeout on the frozen leader)")
                        .isLessThan(AFTER_ELECTION.plusSeconds(1));
            } finally {
                zk.close(1000);
                cluster.kill(leader);
            }
        }
    }

    /** The leader the running members agree on, other than {@code not} (0: any). */
    private static long awaitLeader(LocalCluster cluster, long not) {
        return await("a leader other than " + not + " (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> cluster.leader().filter(l -> l.id() != not), Optional::isPresent).orElseThrow().id();
    }

    private static long memberOtherThan(LocalCluster cluster, long a, long b) {
        return cluster.nodes().stream().mapToLong(LocalCluster.Node::id).filter(id -> id != a && id != b)
                .findFirst().orElseThrow();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static boolean accepts(String endpoint) {
        String[] hp = endpoint.replace("http://", "").split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether process {@code pid} holds an established TCP connection to {@code hostPort} (IPv4): its socket inodes
     * ({@code /proc/PID/fd}) against the remote addresses of {@code /proc/net/tcp} and {@code tcp6} (v4-mapped there).
     */
    static boolean holdsConnection(long pid, String hostPort) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        inodes.add(link.substring("socket:[".length(), link.length() - 1));
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        String[] hp = hostPort.split(":");
        String[] octets = hp[0].split("\\.");
        String remote = String.format("%02X%02X%02X%02X:%04X", Integer.parseInt(octets[3]), Integer.parseInt(octets[2]),
                Integer.parseInt(octets[1]), Integer.parseInt(octets[0]), Integer.parseInt(hp[1]));
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) { // a JVM's sockets are often IPv6 (v4-mapped)
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[2].endsWith(remote) && f[3].equals("01") && inodes.contains(f[9])) {
                    return true;
                }
            }
        }
        return false;
    }
}
