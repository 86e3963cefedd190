package dev.ballot.node.it;

import dev.ballot.nodeapi.StatusReport;
import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.server.JoinGate;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16's lost volume on real processes: a write committed on A and B (C down); B loses its volume and
 * restarts empty; A dies; C comes back. Were B to vote, C (which never got the write) would lead without it and
 * the write would be lost for good. B must refuse to vote (needsReplacement), so no leader is elected until A
 * returns, and the write survives.
 */
class LostVolumeProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    static Stream<Arguments> cases() {
        // existing: the operator told the node the cluster has bootstrapped; new: the node finds out from its peers.
        // The identity lives beside the state machine, so it must hold for each: the key-value map, etcd's MVCC
        // store (Raft with the etcd API, what the operator runs) and ZooKeeper's data tree (ZAB with a client port).
        return Stream.of(Arguments.of(Protocol.RAFT, PreciousStore.KV, "existing"),
                Arguments.of(Protocol.RAFT, PreciousStore.KV, "new"),
                Arguments.of(Protocol.RAFT, PreciousStore.ETCD, "new"),
                Arguments.of(Protocol.ZAB, PreciousStore.KV, "existing"),
                Arguments.of(Protocol.ZAB, PreciousStore.KV, "new"),
                Arguments.of(Protocol.ZAB, PreciousStore.ZOOKEEPER, "new"));
    }

    @ParameterizedTest(name = "{0} {1} initial-cluster-state={2}")
    @MethodSource("cases")
    @Timeout(180)
    void aVoterRestartedWithAnEmptyVolumeNeverVotesAndTheCommittedWriteSurvives(Protocol protocol, PreciousStore store,
                                                                                String state)
            throws Exception {
        String label = "LostVolumeProcessTest " + protocol + " " + store + " " + state;
        System.out.println(label + ": node logs in " + work + " (kept on failure)");
        // Off the key-value map, snapshots every two entries: the identity must also survive in them (a restarted C
        // reads it back from its snapshot, not from its log).
        List<String> jvm = new java.util.ArrayList<>(NODE_JVM);
        if (store != PreciousStore.KV) {
            jvm.add("-Dballot.snapshotEvery=2");
        }
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, jvm)) {
            store.configure(cluster);
            cluster.startAll();
            long a = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
            long b = a == 1 ? 2 : 1;
            long c = 6 - a - b;
            // Every member has applied the record of who joined, as after any bootstrap (whatever the machine).
            await("all members joined").atMost(Duration.ofSeconds(30)).until(() -> cluster.nodes().stream().allMatch(n ->
                    cluster.status(n.id()).map(s -> s.joinedMembers() != null
                            && s.joinedMembers().size() == 3).orElse(false)));

            cluster.kill(c);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.tryPut(cluster, a, "precious", "v1")) {
                assertThat(System.nanoTime()).as("the write on A and B was never acknowledged").isLessThan(deadline);
            }

            cluster.kill(b);
            cluster.wipeData(b); // the volume is lost
            cluster.kill(a);
            cluster.start(c);
            await("C to answer").atMost(Duration.ofSeconds(30)).until(() -> cluster.status(c), Optional::isPresent);
            cluster.start(b, Map.of(JoinGate.ENV, state));
            StatusReport bStatus = await("B to answer").atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.status(b), Optional::isPresent).orElseThrow();
            System.out.println(label + ": B restarted empty: role="
                    + bStatus.role() + " needsReplacement=" + bStatus.needsReplacement());

            // Many election timeouts with only B (empty) and C (without the write) running: C needs B's vote.
            long windowEnd = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            boolean cElected = false;
            while (System.nanoTime() < windowEnd && !cElected) {
                cElected = cluster.status(c).map(s -> s.role().startsWith("lead")).orElse(false);
                Thread.sleep(50);
            }

            cluster.start(a);
            Optional<String> read = store.read(cluster, "precious", System.nanoTime() + Duration.ofSeconds(60).toNanos());
            System.out.println(label + ": C elected without A: " + cElected
                    + "; the committed write read back once A is back: " + read.orElse("<absent: LOST>"));
            assertThat(cElected).as("C was elected with the vote of B, which lost its volume; logs in %s", work).isFalse();
            assertThat(read).as("the committed write, read linearizably once A is back; logs in %s", work).hasValue("v1");

            assertThat(Boolean.TRUE.equals(bStatus.needsReplacement())).as("B's status").isTrue();
            assertThat(bStatus.role()).isEqualTo("needsReplacement");
            assertThat(cluster.metricsWithin(b, Duration.ofSeconds(10))).contains("ballot_needs_replacement 1");
            assertThat(Files.readString(cluster.node(b).log())).contains("NEEDS REPLACEMENT").contains("learner");
        }
    }
}
