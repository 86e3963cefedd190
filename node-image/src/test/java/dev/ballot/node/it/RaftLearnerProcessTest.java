package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three voters and one learner ({@code raft.learners}) as real processes on loopback: the learner starts
 * as a learner, replicates what the leader commits, serves it to serializable reads, and never campaigns,
 * not even when the leader dies or quorum is gone. On failure the node logs are kept and their path printed.
 */
class RaftLearnerProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final long LEARNER = 4;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(180)
    void aLearnerReplicatesServesReadsAndNeverLeads() throws Exception {
        System.out.println("RaftLearnerProcessTest: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, 1, DemoTiming.SEED, work, NODE_JVM)) {
            cluster.startAll();
            await("all members ready (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));

            StatusReport status = cluster.statusWithin(LEARNER, Duration.ofSeconds(10));
            assertThat(status.role()).isEqualTo("learner");
            assertThat(kinds(status)).containsExactly(Map.entry("node-1", "voter"), Map.entry("node-2", "voter"),
                    Map.entry("node-3", "voter"), Map.entry("node-4", "learner"));
            long firstLeader = await("a leader").atMost(Duration.ofSeconds(30))
                    .until(cluster::leader, Optional::isPresent).orElseThrow().id();
            assertThat(firstLeader).isNotEqualTo(LEARNER);
            assertThat(kinds(cluster.statusWithin(firstLeader, Duration.ofSeconds(10)))).containsEntry("node-4", "learner");

            // Roles the learner reports while everything below happens: only ever "learner".
            Set<String> learnerRoles = ConcurrentHashMap.newKeySet();
            KvClient voters = new KvClient(List.of(cluster.clientAddress(1), cluster.clientAddress(2),
                    cluster.clientAddress(3)), Duration.ofSeconds(1));
            KvClient learner = new KvClient(List.of(cluster.clientAddress(LEARNER)), Duration.ofSeconds(2));

            writeAndReadOnLearner(voters, learner, "before", 20, cluster, learnerRoles);

            cluster.kill(firstLeader);
            long secondLeader = await("a new leader after killing " + firstLeader).atMost(Duration.ofSeconds(30))
                    .until(() -> {
                        record(cluster, learnerRoles);
                        return cluster.leader();
                    }, l -> l.isPresent() && l.get().id() != firstLeader).orElseThrow().id();
            assertThat(secondLeader).isNotEqualTo(LEARNER);
            writeAndReadOnLearner(voters, learner, "after", 20, cluster, learnerRoles);

            // One voter left: no quorum, no leader; the learner must stay a learner for many election timeouts.
            cluster.kill(secondLeader);
            await("the learner stays a learner without quorum").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        record(cluster, learnerRoles);
                        return cluster.status(LEARNER).map(s -> s.role().equals("learner")).orElse(false);
                    });
            assertThat(learnerRoles).as("roles the learner reported; logs in %s", work).containsOnly("learner");
            // Everything committed before is still readable on the learner.
            assertThat(learner.getSerializable("after-19", deadline(5))).contains("v19");
        }
    }

    private static void writeAndReadOnLearner(KvClient voters, KvClient learner, String prefix, int count,
                                              LocalCluster cluster, Set<String> learnerRoles) throws Exception {
        for (int i = 0; i < count; i++) {
            String key = prefix + "-" + i;
            String value = "v" + i;
            await("write " + key).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> voters.tryPut(key, value));
        }
        for (int i = 0; i < count; i++) {
            String key = prefix + "-" + i;
            String value = "v" + i;
            await("learner serves " + key).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        record(cluster, learnerRoles);
                        return learner.getSerializable(key, deadline(2)).filter(value::equals).isPresent();
                    });
        }
    }

    private static void record(LocalCluster cluster, Set<String> roles) {
        cluster.status(LEARNER).ifPresent(s -> roles.add(s.role()));
    }

    private static long deadline(int seconds) {
        return System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    }

    /** member name -> kind, as a node's /v1/status lists them. */
    private static Map<String, String> kinds(StatusReport status) {
        Map<String, String> out = new LinkedHashMap<>();
        for (StatusReport.Member m : status.members()) {
            out.put(m.id(), m.kind());
        }
        return out;
    }
}
