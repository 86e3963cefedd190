package dev.ballot.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deleting a cluster sends SIGTERM to every member at once: nobody is left to take leadership, and each member must
 * still exit on its own, quickly, well inside a pod's 30 s grace period (else the kubelet SIGKILLs it and a delete
 * takes 30 s). Real processes with mutual TLS and the client protocol's port, as in a pod; three voters, and a
 * learner on Raft (this harness starts no ZAB observer; a CI run's delete was last held by a ZAB cluster's sixth pod).
 */
class DeleteAllAtOnceProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    /** A member stops within this after SIGTERM: the hand-off attempt (2 s) and closing, with room for a loaded machine. */
    private static final Duration EXIT_BUDGET = Duration.ofSeconds(10);

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(120)
    void everyMemberExitsCleanlyWhenAllAreStoppedTogether(Protocol protocol) throws Exception {
        try (LocalCluster cluster = new LocalCluster(protocol, 3, protocol == Protocol.RAFT ? 1 : 0,
                DemoTiming.SEED, work, NODE_JVM)) {
            cluster.enableTls("Required");
            if (protocol == Protocol.RAFT) {
                cluster.enableEtcd();
            } else {
                cluster.enableZooKeeper();
            }
            cluster.startAll();
            await("all members ready (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));
            await("a leader").atMost(Duration.ofSeconds(30)).until(cluster::leader, Optional::isPresent);

            List<Process> processes = new ArrayList<>();
            cluster.nodes().forEach(n -> processes.add(n.process()));
            long signalled = System.nanoTime();
            processes.forEach(Process::destroy); // SIGTERM, all at once
            List<String> exits = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                LocalCluster.Node n = cluster.nodes().get(i);
                long left = EXIT_BUDGET.toNanos() - (System.nanoTime() - signalled);
                boolean exited = p.waitFor(Math.max(1, left), TimeUnit.NANOSECONDS);
                String log = Files.readString(n.log());
                assertThat(exited).as("%s still running %s after SIGTERM; its log %s ends:%n%s", n.name(), EXIT_BUDGET,
                        n.log(), log.substring(Math.max(0, log.length() - 3000))).isTrue();
                assertThat(p.exitValue()).as("%s's exit code; log %s", n.name(), n.log()).isZero();
                assertThat(log).as("%s's log", n.name()).contains("stopped");
                exits.add(n.name() + "=" + (System.nanoTime() - signalled) / 1_000_000 + "ms");
            }
            System.out.println("DeleteAllAtOnceProcessTest " + protocol + ": exited after SIGTERM " + exits);
        }
    }
}
