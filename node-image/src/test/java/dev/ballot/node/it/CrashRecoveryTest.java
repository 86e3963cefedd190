package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.WriteLoad;
import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real node processes on loopback under a write storm: SIGKILL the leader, then every node at once
 * (power loss), restart them, and check that every acknowledged write survived on every member and
 * that the members' logs agree. On failure the node logs are kept and their path printed.
 */
class CrashRecoveryTest {
    /** Snapshots every 100 entries: the storm then also crosses snapshots, compaction and catch-up from them. */
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dballot.snapshotEvery=100");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(240)
    void killNineDuringAWriteStormLosesNothingAcknowledged(Protocol protocol) throws Exception {
        System.out.println("CrashRecoveryTest " + protocol + ": node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, NODE_JVM)) {
            cluster.startAll();
            awaitAllReady(cluster);
            KvClient client = new KvClient(cluster.clientAddresses(), Duration.ofMillis(500));
            List<WriteLoad.Ack> acks;
            try (WriteLoad load = new WriteLoad(client, 4, "crash").start()) {
                await("first writes").atMost(Duration.ofSeconds(30)).until(() -> load.acks().size() >= 100);

                long leader = await("a leader").atMost(Duration.ofSeconds(30))
                        .until(cluster::leader, Optional::isPresent).orElseThrow().id();
                cluster.kill(leader);
                int beforeRestart = load.acks().size();
                await("writes after the leader's SIGKILL").atMost(Duration.ofSeconds(30))
                        .until(() -> load.acks().size() >= beforeRestart + 100);
                cluster.start(leader);
                awaitAllReady(cluster);
                int beforePowerLoss = load.acks().size();
                await("writes before the power loss").atMost(Duration.ofSeconds(30))
                        .until(() -> load.acks().size() >= beforePowerLoss + 50);

                for (LocalCluster.Node n : cluster.nodes()) {
                    n.process().destroyForcibly(); // all at once: no node gets to sync anything more
                }
                for (LocalCluster.Node n : cluster.nodes()) {
                    cluster.kill(n.id());
                }
                int acksAtPowerLoss = load.acks().size();
                cluster.startAll();
                awaitAllReady(cluster);
                await("writes after the restart").atMost(Duration.ofSeconds(30))
                        .until(() -> load.acks().size() >= acksAtPowerLoss + 50);
                load.close();
                acks = load.acks();
            }

            // Logs agree: once quiet, every member reports the same commit, applied and last index.
            await("members' logs to agree").atMost(Duration.ofSeconds(30)).until(() -> indexes(cluster).size() == 1);

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<String> lost = new ArrayList<>();
            for (WriteLoad.Ack a : acks) {
                Optional<String> v = client.get(a.key(), deadline);
                if (v.isEmpty() || !v.get().equals(a.value())) {
                    lost.add(a.key() + " -> " + v.orElse("<absent>"));
                }
            }
            assertThat(lost).as("acknowledged writes missing after kill -9 (of %d); logs in %s", acks.size(), work).isEmpty();

            // Every member's own state machine holds every acknowledged write (serializable reads, member by member).
            for (LocalCluster.Node n : cluster.nodes()) {
                KvClient local = new KvClient(List.of(cluster.clientAddress(n.id())), Duration.ofSeconds(2));
                int missing = 0;
                for (WriteLoad.Ack a : acks) {
                    if (local.getSerializable(a.key(), deadline).filter(a.value()::equals).isEmpty()) {
                        missing++;
                    }
                }
                assertThat(missing).as("acknowledged writes missing on %s; logs in %s", n.name(), work).isZero();
            }
            System.out.println("CrashRecoveryTest " + protocol + ": " + acks.size()
                    + " acknowledged writes, all present on every member; indexes " + indexes(cluster));
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(120)
    void sigtermOnTheLeaderHandsLeadershipOffAndExitsCleanly(Protocol protocol) throws Exception {
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, NODE_JVM)) {
            cluster.startAll();
            awaitAllReady(cluster);
            long leader = await().atMost(Duration.ofSeconds(30)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
            int exit = cluster.terminate(leader, Duration.ofSeconds(10));
            assertThat(exit).as("exit code after SIGTERM; log %s", cluster.node(leader).log()).isZero();
            assertThat(Files.readString(cluster.node(leader).log())).contains("handed leadership to").contains("stopped");
            long next = await().atMost(Duration.ofSeconds(10)).until(cluster::leader, l -> l.isPresent() && l.get().id() != leader)
                    .orElseThrow().id();
            assertThat(next).isNotEqualTo(leader);
        }
    }

    private static void awaitAllReady(LocalCluster cluster) {
        await("all members ready (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));
    }

    /** The distinct (commit, applied, last) triples the members report. */
    private static Set<String> indexes(LocalCluster cluster) {
        Set<String> distinct = new TreeSet<>();
        for (LocalCluster.Node n : cluster.nodes()) {
            Optional<StatusReport> st = cluster.status(n.id());
            if (st.isEmpty()) {
                distinct.add(n.name() + " unreachable");
                continue;
            }
            distinct.add("commit=" + st.get().commitIndex() + " applied=" + st.get().appliedIndex()
                    + " last=" + st.get().lastLogIndex());
        }
        return distinct;
    }
}
