package dev.ballot.examples.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example application against three real Ballot member processes serving the etcd v3 API: two instances, each
 * connected to one member only, elect one leader at a time; when the leader's member is killed, leadership moves to
 * the other instance; a resigning leader hands over at once.
 */
class LeaderElectionAppTest {
    /** Slower elections than the seed's: the test is about the application, on a machine shared by many builds. */
    private static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(100), Duration.ofMillis(50), 10, 4);
    private static final Duration TTL = Duration.ofSeconds(4);

    @TempDir
    Path work;

    @Test
    void oneLeaderAtATimeAndLeadershipMovesWhenTheLeadersMemberDies() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, TIMING, work,
                List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))) {
            cluster.enableEtcd();
            cluster.startAll();
            await("a Ballot leader (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                    .until(() -> cluster.leader().isPresent());
            LeaderElectionApp a = new LeaderElectionApp(cluster.etcdEndpoint(1), "orders", "a", TTL).start();
            await("a leads").atMost(Duration.ofSeconds(30)).until(a::isLeader);
            LeaderElectionApp b = new LeaderElectionApp(cluster.etcdEndpoint(2), "orders", "b", TTL).start();

            AtomicInteger bothLeading = new AtomicInteger();
            AtomicLong samples = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (a.isLeader() && b.isLeader()) {
                        bothLeading.incrementAndGet();
                    }
                    samples.incrementAndGet();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            try {
                Thread.sleep(2 * TTL.toMillis()); // b campaigns and waits; a keeps leading
                assertThat(a.isLeader()).as("a keeps leading while its member is up").isTrue();
                assertThat(b.isLeader()).isFalse();

                long killedAt = System.currentTimeMillis();
                cluster.kill(1); // a's only member: a can no longer renew its lease
                await("b leads after a's member died").atMost(Duration.ofSeconds(60)).until(b::isLeader);
                long movedMs = System.currentTimeMillis() - killedAt;
                assertThat(a.isLeader()).isFalse();

                cluster.start(1); // a campaigns again, and waits behind b
                Thread.sleep(2 * TTL.toMillis());
                assertThat(b.isLeader()).as("b keeps leading after a's member is back").isTrue();
                assertThat(a.isLeader()).isFalse();

                long resignedAt = System.currentTimeMillis();
                b.close(); // resigns: a takes over without waiting for b's lease to expire
                await("a leads after b resigned").atMost(Duration.ofSeconds(30)).until(a::isLeader);
                long handoverMs = System.currentTimeMillis() - resignedAt;
                System.out.printf("example=leader-election client=jetcd moved_after_member_kill_ms=%d"
                        + " handover_after_resign_ms=%d samples=%d both_leading=%d a_terms=%d b_terms=%d%n",
                        movedMs, handoverMs, samples.get(), bothLeading.get(), a.terms(), b.terms());
                assertThat(bothLeading.get()).as("samples with two leaders").isZero();
                assertThat(a.terms()).isEqualTo(2);
                assertThat(b.terms()).isEqualTo(1);
            } finally {
                sampler.interrupt();
                a.close();
                b.close();
            }
        }
    }
}
