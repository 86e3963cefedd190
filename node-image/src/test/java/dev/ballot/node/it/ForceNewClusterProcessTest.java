package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.server.JoinGate;
import dev.ballot.nodeapi.ForceNewCluster;
import dev.ballot.nodeapi.NodeApiException;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16's quorum-loss recovery on real processes: two of three members lose their volumes for good (they come
 * back empty and refuse to vote), so the cluster has no quorum. Asked to, the survivor rebuilds the cluster from its
 * own data as a one-member configuration: it leads alone, with every write it had, under a new cluster identity.
 * Asked while the quorum is intact, it refuses and records nothing.
 */
class ForceNewClusterProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(Protocol.RAFT, PreciousStore.ETCD), Arguments.of(Protocol.ZAB, PreciousStore.ZOOKEEPER),
                Arguments.of(Protocol.RAFT, PreciousStore.KV));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    @Timeout(240)
    void theSurvivorRebuildsTheClusterFromItsOwnDataWhenAsked(Protocol protocol, PreciousStore store) throws Exception {
        String label = "ForceNewClusterProcessTest " + protocol + " " + store;
        System.out.println(label + ": node logs in " + work + " (kept on failure)");
        List<String> jvm = new ArrayList<>(NODE_JVM);
        jvm.add("-Dballot.snapshotEvery=5"); // the rebuilt state comes from a snapshot and the log after it
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, jvm)) {
            store.configure(cluster);
            cluster.startAll();
            long a = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
            await("all members joined").atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes().stream().allMatch(n ->
                    cluster.status(n.id()).map(s -> s.joinedMembers() != null && s.joinedMembers().size() == 3).orElse(false)));
            String oldUuid = cluster.status(a).orElseThrow().clusterUuid();
            for (int i = 0; i < 12; i++) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!store.tryPut(cluster, a, "k" + i, "v" + i)) {
                    assertThat(System.nanoTime()).as("write k%d never acknowledged", i).isLessThan(deadline);
                }
            }
            NodeEndpoint viaA = NodeClient.create(Duration.ofSeconds(2), Duration.ofSeconds(5), null, null)
                    .at(cluster.clientAddress(a));
            assertThatThrownBy(() -> viaA.forceNewCluster(new ForceNewCluster.Request("too-early")))
                    .isInstanceOfSatisfying(NodeApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.getMessage()).contains("quorum_available");
                    });
            assertThat(Files.exists(work.resolve("node-" + a + "-data").resolve("force-new-cluster")))
                    .as("a refused request records nothing").isFalse();

            // The other two lose their volumes for good: back empty, they refuse to vote. No quorum.
            List<Long> lost = cluster.nodes().stream().map(LocalCluster.Node::id).filter(id -> id != a).toList();
            for (long id : lost) {
                cluster.kill(id);
                cluster.wipeData(id);
                cluster.start(id, Map.of(JoinGate.ENV, "existing"));
            }
            for (long id : lost) {
                await("member " + id + " needs replacing").atMost(Duration.ofSeconds(30)).until(() -> cluster.status(id)
                        .map(s -> Boolean.TRUE.equals(s.needsReplacement())).orElse(false));
            }
            await("a without a leader").atMost(Duration.ofSeconds(30)).until(() -> cluster.status(a)
                    .map(s -> s.leaderId() == null || s.leaderId().isEmpty()).orElse(false));

            ForceNewCluster.Result asked = viaA.forceNewCluster(new ForceNewCluster.Request("recover-1"));
            System.out.println(label + ": asked: " + asked);
            assertThat(asked.member()).isEqualTo(cluster.node(a).name());
            assertThat(asked.lastIndex()).isPositive();
            cluster.kill(a);
            cluster.start(a);
            StatusReport alone = await("a leads alone").atMost(Duration.ofSeconds(60)).until(() -> cluster.status(a),
                    s -> s.isPresent() && s.get().leads() && s.get().members() != null && s.get().members().size() == 1)
                    .orElseThrow();
            for (int i = 0; i < 12; i++) {
                assertThat(store.read(cluster, "k" + i, System.nanoTime() + Duration.ofSeconds(30).toNanos()))
                        .as("k%d, written before the quorum was lost", i).hasValue("v" + i);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.tryPut(cluster, a, "after", "yes")) {
                assertThat(System.nanoTime()).as("a write on the rebuilt cluster never acknowledged").isLessThan(deadline);
            }
            String newUuid = await("the new identity").atMost(Duration.ofSeconds(10)).until(
                    () -> cluster.status(a).map(StatusReport::clusterUuid).orElse(null), u -> u != null && !u.equals(oldUuid));
            System.out.println(label + ": rebuilt from " + asked.member() + " at index " + asked.lastIndex() + ": leads "
                    + "alone in term " + alone.term() + ", 12/12 keys read back, cluster uuid " + oldUuid + " -> " + newUuid);
            assertThat(Files.readString(cluster.node(a).log())).contains("FORCE NEW CLUSTER");
        }
    }
}
