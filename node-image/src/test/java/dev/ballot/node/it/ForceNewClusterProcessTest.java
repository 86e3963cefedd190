package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.server.JoinGate;
import dev.ballot.nodeapi.AddMemberRequest;
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
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, jvm())) {
            Rebuilt r = loseQuorumAndRebuild(cluster, store, label, 12);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.tryPut(cluster, r.kept(), "after", "yes")) {
                assertThat(System.nanoTime()).as("a write on the rebuilt cluster never acknowledged").isLessThan(deadline);
            }
            String newUuid = await("the new identity").atMost(Duration.ofSeconds(10)).until(
                    () -> cluster.status(r.kept()).map(StatusReport::clusterUuid).orElse(null),
                    u -> u != null && !u.equals(r.oldUuid()));
            System.out.println(label + ": rebuilt from " + r.asked().member() + " at index " + r.asked().lastIndex()
                    + ": leads alone in term " + r.alone().term() + ", 12/12 keys read back, cluster uuid " + r.oldUuid()
                    + " -> " + newUuid);
            assertThat(Files.readString(cluster.node(r.kept()).log())).contains("FORCE NEW CLUSTER");
        }
    }

    static Stream<Arguments> rejoinCases() {
        return Stream.of(Arguments.of(Protocol.ZAB, PreciousStore.ZOOKEEPER), Arguments.of(Protocol.RAFT, PreciousStore.ETCD));
    }

    /**
     * The rest of the recovery, as the operator's replacement does it: each lost member restarts empty with a config
     * file that lists it as a non-voter (ZAB observer, Raft learner) and still lists the lost voters, is added by the
     * rebuilt leader and promoted once caught up. For ZAB this needs the leader's configuration in its election
     * notifications (docs/engine.md): otherwise the member counts backers among voters that are gone and looks
     * forever. At the end every member holds every key written before the loss and the cluster serves writes.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rejoinCases")
    @Timeout(300)
    void theLostMembersRejoinEmptyAndTheRebuiltClusterServesWithAllItsVoters(Protocol protocol, PreciousStore store)
            throws Exception {
        String label = "ForceNewClusterProcessTest rejoin " + protocol + " " + store;
        int keys = 20;
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, jvm())) {
            Rebuilt r = loseQuorumAndRebuild(cluster, store, label, keys);
            List<String> timings = new ArrayList<>();
            for (long id : r.lost()) {
                String name = cluster.node(id).name();
                long began = System.nanoTime();
                cluster.kill(id); // it ran the needs-replacement process
                cluster.wipeData(id);
                cluster.rejoinAsNonVoter(id);
                cluster.start(id, Map.of(JoinGate.ENV, "existing"));
                AddMemberRequest add = new AddMemberRequest(name, cluster.peerAddress(id), protocol == Protocol.ZAB
                        ? AddMemberRequest.OBSERVER : AddMemberRequest.LEARNER, id, null);
                onLeader(cluster, "add " + name, leader -> leader.addMember(add));
                await(name + " follows the rebuilt leader as a non-voter and holds everything kept")
                        .atMost(Duration.ofSeconds(90)).until(() -> cluster.status(id), s -> s.isPresent()
                                && s.get().leaderId() != null && !s.get().leaderId().isEmpty()
                                && s.get().appliedIndex() >= r.asked().lastIndex());
                long caughtUp = System.nanoTime();
                onLeader(cluster, "promote " + name, leader -> leader.promote(name));
                await(name + " votes").atMost(Duration.ofSeconds(60)).until(() -> leading(cluster)
                        .flatMap(cluster::status), s -> s.isPresent()
                        && s.get().members().stream().anyMatch(m -> m.id().equals(name) && "voter".equals(m.kind())));
                await(name + " takes part as a voter").atMost(Duration.ofSeconds(60)).until(() -> cluster.status(id), s ->
                        s.isPresent() && (s.get().role().startsWith("follow") || s.get().leads())
                        && !Boolean.TRUE.equals(s.get().needsReplacement()));
                timings.add(name + " caught up in " + Duration.ofNanos(caughtUp - began).toMillis() + " ms, voter after "
                        + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.tryPut(cluster, r.kept(), "after", "yes")) {
                assertThat(System.nanoTime()).as("a write on the rebuilt cluster never acknowledged").isLessThan(deadline);
            }
            int present = 0;
            for (LocalCluster.Node n : cluster.nodes()) {
                for (int i = 0; i < keys; i++) {
                    assertThat(store.readOnce(cluster, n.id(), "k" + i)).as("k%d on %s", i, n.name()).hasValue("v" + i);
                    present++;
                }
                assertThat(store.readOnce(cluster, n.id(), "after")).as("the write after, on %s", n.name()).hasValue("yes");
            }
            // Leadership may have moved by now (a stalled leader on a loaded machine is replaced; any of the three
            // may win): whoever leads, it leads all three as voters.
            long leader = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, Optional::isPresent)
                    .orElseThrow().id();
            assertThat(cluster.statusWithin(leader, Duration.ofSeconds(10)).members()).hasSize(3).allMatch(m -> "voter".equals(m.kind()));
            System.out.println(label + ": rebuilt from " + r.asked().member() + " at index " + r.asked().lastIndex()
                    + "; " + String.join("; ", timings) + "; keys_kept=" + present + "/" + (keys * 3)
                    + " (every member), voters=3, write after: ok");
        }
    }

    private record Rebuilt(long kept, List<Long> lost, String oldUuid, ForceNewCluster.Result asked, StatusReport alone) {
    }

    private static List<String> jvm() {
        List<String> jvm = new ArrayList<>(NODE_JVM);
        jvm.add("-Dballot.snapshotEvery=5"); // the rebuilt state comes from a snapshot and the log after it
        return jvm;
    }

    private interface AdminCall {
        Object on(NodeEndpoint leader) throws Exception;
    }

    /**
     * An idempotent membership call on whoever leads now, again until it is answered: on a loaded machine leadership
     * can move between the rebuilt leader's election and the call (503 outcome_unknown, or not the leader).
     */
    private static void onLeader(LocalCluster cluster, String what, AdminCall call) {
        await(what + " on the leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .ignoreExceptions().until(() -> call.on(endpoint(cluster, leading(cluster).orElseThrow(
                        () -> new IllegalStateException("no member leads")))) != null);
    }

    /** The member that says it leads (LocalCluster.leader() wants a majority naming it; here one voter leads alone). */
    private static Optional<Long> leading(LocalCluster cluster) {
        return cluster.nodes().stream().map(LocalCluster.Node::id)
                .filter(id -> cluster.status(id).map(StatusReport::leads).orElse(false)).findFirst();
    }

    private static NodeEndpoint endpoint(LocalCluster cluster, long id) {
        return NodeClient.create(Duration.ofSeconds(2), Duration.ofSeconds(5), null, null).at(cluster.clientAddress(id));
    }

    /**
     * Writes {@code keys} keys, then the two others lose their volumes for good (back empty, they refuse to vote: no
     * quorum); the survivor refuses to rebuild while the quorum is intact, then rebuilds when asked and leads alone
     * with every key.
     */
    private Rebuilt loseQuorumAndRebuild(LocalCluster cluster, PreciousStore store, String label, int keys)
            throws Exception {
        System.out.println(label + ": node logs in " + work + " (kept on failure)");
        store.configure(cluster);
        cluster.startAll();
        long a = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
        await("all members joined").atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes().stream().allMatch(n ->
                cluster.status(n.id()).map(s -> s.joinedMembers() != null && s.joinedMembers().size() == 3).orElse(false)));
        String oldUuid = cluster.statusWithin(a, Duration.ofSeconds(10)).clusterUuid();
        for (int i = 0; i < keys; i++) {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.tryPut(cluster, a, "k" + i, "v" + i)) {
                assertThat(System.nanoTime()).as("write k%d never acknowledged", i).isLessThan(deadline);
            }
        }
        NodeEndpoint viaA = endpoint(cluster, a);
        assertThatThrownBy(() -> viaA.forceNewCluster(new ForceNewCluster.Request("too-early")))
                .isInstanceOfSatisfying(NodeApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.getMessage()).contains("quorum_available");
                });
        assertThat(Files.exists(work.resolve("node-" + a + "-data").resolve("force-new-cluster")))
                .as("a refused request records nothing").isFalse();

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
        for (int i = 0; i < keys; i++) {
            assertThat(store.read(cluster, "k" + i, System.nanoTime() + Duration.ofSeconds(30).toNanos()))
                    .as("k%d, written before the quorum was lost", i).hasValue("v" + i);
        }
        return new Rebuilt(a, lost, oldUuid, asked, alone);
    }
}
