package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member catches up whatever the state size (issue 12, Limits): real processes on loopback write {@code MiB} values
 * of 1 MiB each (past the 32 MiB frame limit, so neither one append batch nor one snapshot message could carry it),
 * with a snapshot and log compaction every 16 entries (a quarter of the state when larger), so the member that comes later needs a snapshot of the whole
 * state. Raft: a new learner with an empty data directory joins. ZAB: a follower killed before the writes returns.
 * Either way it must then serve every key. {@code mvn verify} runs 56 MiB (a snapshot of 48 MiB or more, past the frame limit); the 200 MiB runs with
 * {@code -Dballot.catchup.mib=200}. Prints the catch-up time and the bytes. Node logs are kept on failure.
 */
class CatchUpProcessTest {
    private static final int MIB = Integer.getInteger("ballot.catchup.mib", 56);
    private static final int VALUE_BYTES = 1 << 20;
    /**
     * Entries between snapshots: few enough that the member needs a snapshot of nearly the whole state, not so few
     * that a 200 MiB state is serialised every 16 writes (each pauses the driver thread long enough, on this loaded
     * machine, for an election).
     */
    private static final int SNAPSHOT_EVERY = Math.max(16, MIB / 4);
    /** Heap for the state machine, the snapshot image, its encoding and the log, each about the state's size. */
    private static final List<String> NODE_JVM = List.of("-Xms64m", "-Xmx" + (256 + 6 * MIB) + "m",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dballot.snapshotEvery=" + SNAPSHOT_EVERY);
    /** Slower than the seed's 150-300 ms: 1 MiB writes on a loaded 2-core machine must not churn leadership. */
    private static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(1000), Duration.ofMillis(2000),
            Duration.ofMillis(100), Duration.ofMillis(100), 100, 20);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(900)
    void aNewRaftLearnerCatchesUpOnTheWholeState() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, 1, TIMING, work, NODE_JVM)) {
            cluster.enableQuota(2L * MIB * VALUE_BYTES);
            for (long id = 1; id <= 3; id++) {
                cluster.start(id);
            }
            awaitLeader(cluster);
            write(cluster, List.of(1L, 2L, 3L));
            catchUp(cluster, 4, "new learner");
        }
    }

    @Test
    @Timeout(900)
    void aZabFollowerReturningAfterCompactionCatchesUp() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.ZAB, 3, TIMING, work, NODE_JVM)) {
            cluster.startAll();
            long leader = awaitLeader(cluster);
            long away = leader == 3 ? 2 : 3;
            cluster.kill(away);
            List<Long> up = new ArrayList<>(List.of(1L, 2L, 3L));
            up.remove(away);
            write(cluster, up);
            catchUp(cluster, away, "returning follower");
        }
    }

    private long awaitLeader(LocalCluster cluster) {
        System.out.println("CatchUpProcessTest: " + MIB + " MiB, node logs in " + work + " (kept on failure)");
        return await("a leader (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
    }

    private void write(LocalCluster cluster, List<Long> members) {
        KvClient client = new KvClient(members.stream().map(cluster::clientAddress).toList(), Duration.ofSeconds(10));
        long start = System.nanoTime();
        for (int i = 0; i < MIB; i++) {
            String key = key(i);
            String value = value(i);
            await("write " + key + " (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50)).until(() -> client.tryPut(key, value));
        }
        System.out.printf("CatchUpProcessTest: wrote %d MiB in %d values of 1 MiB in %.1f s%n", MIB, MIB,
                (System.nanoTime() - start) / 1e9);
    }

    private void catchUp(LocalCluster cluster, long id, String what) throws Exception {
        long start = System.nanoTime();
        cluster.start(id);
        KvClient member = new KvClient(List.of(cluster.clientAddress(id)), Duration.ofSeconds(10));
        String last = key(MIB - 1);
        // A read may time out while the member installs the snapshot (it restores on its driver thread): ask again.
        await("the " + what + " serves " + last + " (logs in " + work + ")").atMost(Duration.ofSeconds(600))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> member.getSerializable(last, deadline(5)).filter(value(MIB - 1)::equals).isPresent());
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < MIB; i++) {
            assertThat(member.getSerializable(key(i), deadline(30))).as("%s on the %s", key(i), what)
                    .contains(value(i));
        }
        long snapshot = snapshotBytes(work.resolve("node-" + id + "-data"));
        System.out.printf("CatchUpProcessTest: %s %s caught up on %d MiB (%d keys) in %.1f s; its snapshot on disk: %d bytes%n",
                cluster.protocol().wireName(), what, MIB, MIB, seconds, snapshot);
        assertThat(snapshot).as("the member installed a snapshot of (nearly) the whole state, past the 32 MiB frame limit")
                .isGreaterThan((long) (MIB - SNAPSHOT_EVERY - 2) * VALUE_BYTES).isGreaterThan(32L << 20);
    }

    private static long snapshotBytes(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(dataDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".snap")).mapToLong(p -> p.toFile().length())
                    .max().orElse(0);
        }
    }

    private static String key(int i) {
        return String.format("big-%04d", i);
    }

    /** 1 MiB, different for every key (its number first). */
    private static String value(int i) {
        String head = i + ":";
        return head + "v".repeat(VALUE_BYTES - head.length());
    }

    private static long deadline(int seconds) {
        return System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    }
}
