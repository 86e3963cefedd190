package dev.ballot.node.it;

import dev.ballot.backup.BackupStore;
import dev.ballot.backup.SnapshotBackup;
import dev.ballot.backup.VersityGw;
import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backup and a restore on real processes and a real S3 server (versitygw): a cluster takes writes, the leader's
 * snapshot goes to S3 while writes go on, each member of a new cluster runs {@code ballot-node restore}, and the new
 * cluster serves every key the backup held, with its own cluster identity.
 */
class BackupRestoreProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static VersityGw gw;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @BeforeAll
    static void startS3() throws Exception {
        gw = VersityGw.start();
        gw.createBucket("backups");
    }

    @AfterAll
    static void stopS3() {
        if (gw != null) {
            gw.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(240)
    void aNewClusterRestoredFromABackupServesEveryKeyItHeld(Protocol protocol) throws Exception {
        System.out.println("BackupRestoreProcessTest " + protocol + ": logs in " + work + " (kept on failure)");
        Map<String, String> written = new LinkedHashMap<>();
        SnapshotBackup.Taken taken;
        String sourceUuid;
        try (LocalCluster source = new LocalCluster(protocol, 3, DemoTiming.SEED, Files.createDirectories(work.resolve("source")), NODE_JVM);
             BackupStore store = BackupStore.open(gw.location("backups", "it"), VersityGw.CREDENTIALS)) {
            source.startAll();
            long leader = await("a leader").atMost(Duration.ofSeconds(60)).until(source::leader, Optional::isPresent).orElseThrow().id();
            KvClient kv = new KvClient(source.clientAddresses(), Duration.ofSeconds(2));
            for (int i = 0; i < 40; i++) {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!kv.tryPut("key-" + i, "value-" + i)) {
                    assertThat(System.nanoTime()).as("write key-%d never acknowledged; logs in %s", i, work).isLessThan(deadline);
                }
                written.put("key-" + i, "value-" + i);
            }
            // Any member will do: a follower forwards the (linearizable) snapshot request to its leader.
            long asked = leader % 3 + 1;
            taken = SnapshotBackup.take(HttpClient.newHttpClient(), URI.create("http://" + source.clientAddress(asked)),
                    store, "it-ns", "source", Clock.systemUTC());
            sourceUuid = source.status(leader).map(StatusReport::clusterUuid).orElse(null);
            // Writes after the backup are not in it.
            while (!kv.tryPut("after-backup", "x")) {
                Thread.sleep(50);
            }
        }
        System.out.println("BackupRestoreProcessTest " + protocol + ": backup " + taken.manifest().object() + " index="
                + taken.manifest().index() + " bytes=" + taken.manifest().size() + " took=" + taken.took().toMillis() + "ms");
        assertThat(taken.manifest().protocol()).isEqualTo(protocol.wireName());
        assertThat(taken.manifest().machine()).isEqualTo("kv");

        try (LocalCluster target = new LocalCluster(protocol, 3, DemoTiming.SEED, Files.createDirectories(work.resolve("target")), NODE_JVM)) {
            long t0 = System.nanoTime();
            for (LocalCluster.Node n : target.nodes()) {
                Path out = work.resolve("restore-" + n.name() + ".log");
                int exit = restore(n.config(), out);
                assertThat(exit).as("restore of %s: %s", n.name(), Files.readString(out)).isZero();
                assertThat(Files.readString(out)).contains("restored " + taken.manifest().object());
            }
            long restoreMs = (System.nanoTime() - t0) / 1_000_000;
            // A second run (a restarted init container) leaves the state alone.
            Path again = work.resolve("restore-again.log");
            assertThat(restore(target.node(1).config(), again)).isZero();
            assertThat(Files.readString(again)).contains("already holds this member's state; nothing restored");

            target.startAll();
            await("a leader in the restored cluster").atMost(Duration.ofSeconds(60)).until(target::leader, Optional::isPresent);
            KvClient kv = new KvClient(target.clientAddresses(), Duration.ofSeconds(2));
            Map<String, String> read = new LinkedHashMap<>();
            for (String key : written.keySet()) {
                kv.get(key, System.nanoTime() + Duration.ofSeconds(30).toNanos()).ifPresent(v -> read.put(key, v));
            }
            assertThat(read).as("every key the backup held; logs in %s", work).isEqualTo(written);
            assertThat(kv.get("after-backup", System.nanoTime() + Duration.ofSeconds(10).toNanos())).isEmpty();
            // New writes commit in the restored cluster; it agreed on its own identity, not the source's.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!kv.tryPut("restored-write", "ok")) {
                assertThat(System.nanoTime()).as("a write to the restored cluster").isLessThan(deadline);
            }
            String uuid = await("the restored cluster's identity").atMost(Duration.ofSeconds(30))
                    .until(() -> target.status(1).map(StatusReport::clusterUuid).orElse(null), u -> u != null);
            assertThat(uuid).isNotEqualTo(sourceUuid);
            // The log goes on from the backup's index (ZAB: zxids of a later epoch).
            long leaderNow = target.leader().orElseThrow().id();
            assertThat(target.statusWithin(leaderNow, Duration.ofSeconds(10)).commitIndex()).isGreaterThan(taken.manifest().index());
            System.out.println("BackupRestoreProcessTest " + protocol + ": restored " + read.size() + "/" + written.size()
                    + " keys, restore of 3 members took " + restoreMs + "ms");
        }
    }

    private static int restore(Path config, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(NODE_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.ballot.node.cli.BallotNode", "restore",
                "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("BALLOT_") || k.startsWith("AWS_"));
        pb.environment().putAll(Map.of("BALLOT_RESTORE_BUCKET", "backups", "BALLOT_RESTORE_PREFIX", "it",
                "BALLOT_RESTORE_ENDPOINT", gw.endpoint(), "BALLOT_RESTORE_SOURCE_NAMESPACE", "it-ns",
                "BALLOT_RESTORE_SOURCE_CLUSTER", "source", "AWS_ACCESS_KEY_ID", VersityGw.CREDENTIALS.accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", VersityGw.CREDENTIALS.secretAccessKey()));
        Process p = pb.start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("restore did not finish within 60 s: " + Files.readString(out));
        }
        return p.exitValue();
    }
}
