package dev.ballot.node.etcd;

import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The keyspace quota's NOSPACE alarm as an etcd user meets it, with etcdctl against three real Ballot Raft processes
 * (quota_bytes 16 KiB): the put past the quota fails with etcd's own error, every later put too while the alarm stands,
 * reads and deletes work, {@code etcdctl alarm list} shows it, it survives a member's restart, and {@code etcdctl
 * alarm disarm} clears it once compaction freed the space.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class EtcdNoSpaceAlarmTest {
    private static final long QUOTA = 16 * 1024;
    private static final String NO_SPACE = "etcdserver: mvcc: database space exceeded";
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    EtcdCluster cluster;
    Etcdctl ctl;

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of("/usr/bin/etcdctl")).as("etcdctl: apt-get install etcd-client (.ci/run does)").exists();
        cluster = new EtcdCluster(work, null, QUOTA);
        ctl = new Etcdctl(List.of(cluster.endpoints()));
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private List<StatusReport> statuses() {
        return cluster.cluster.nodes().stream().map(n -> cluster.cluster.status(n.id()).orElse(null)).toList();
    }

    private boolean everyMemberReports(boolean alarm) {
        return statuses().stream().allMatch(s -> s != null && s.alarms() != null && s.noSpaceAlarm() == alarm);
    }

    @Test
    void putPastTheQuotaRaisesNospaceUntilCompactionAndDisarm() throws Exception {
        String value = "v".repeat(4000);
        int accepted = 0;
        Etcdctl.Run refused = null;
        for (int i = 0; i < 8 && refused == null; i++) {
            Etcdctl.Run r = ctl.run(null, "put", "big/" + i, value);
            if (r.exit() == 0) {
                accepted++;
            } else {
                refused = r;
            }
        }
        assertThat(accepted).as("4 KB puts under a 16 KiB quota").isEqualTo(4);
        assertThat(refused).isNotNull();
        assertThat(refused.out()).contains("Error: " + NO_SPACE);

        // Every member raised it at the same entry, and says so.
        await().atMost(Duration.ofSeconds(20)).until(() -> everyMemberReports(true));
        assertThat(statuses()).allSatisfy(s -> {
            assertThat(s.quotaBytes()).isEqualTo(QUOTA);
            assertThat(s.keyspaceBytes()).isLessThanOrEqualTo(QUOTA);
        });
        String listed = ctl.ok("alarm", "list");
        assertThat(listed.lines().toList()).hasSize(3).allMatch(l -> l.strip().matches("memberID:\\d+ alarm:NOSPACE"));
        assertThat(cluster.cluster.metricsWithin(cluster.awaitLeader(), Duration.ofSeconds(10))).contains("ballot_nospace_alarm 1.0")
                .contains("ballot_keyspace_quota_bytes " + (double) QUOTA).contains("ballot_keyspace_bytes ");

        assertThat(ctl.run(null, "put", "small", "1").out()).as("a put that would fit: the alarm stands")
                .contains(NO_SPACE);
        assertThat(ctl.run(null, "lease", "grant", "30").out()).contains(NO_SPACE);
        assertThat(ctl.ok("get", "big/0")).isEqualTo("big/0\n" + value + "\n");
        assertThat(ctl.ok("get", "big/" + accepted)).as("the refused put left nothing").isEmpty();

        // It is state, not memory: a member restarted from its disk still has it.
        long follower = cluster.cluster.nodes().stream().map(n -> n.id()).filter(id -> id != cluster.awaitLeader())
                .findFirst().orElseThrow();
        cluster.cluster.kill(follower);
        cluster.cluster.start(follower);
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.cluster.status(follower)
                .map(s -> s.noSpaceAlarm() && s.appliedIndex() > 0).orElse(false));

        long rev = ctl.json("del", "big/", "--prefix").get("header").get("revision").asLong();
        assertThat(ctl.run(null, "put", "small", "1").out()).as("deleting does not disarm it, as in etcd")
                .contains(NO_SPACE);
        ctl.ok("compact", Long.toString(rev));
        String disarmed = ctl.ok("alarm", "disarm");
        assertThat(disarmed).containsPattern("memberID:\\d+ alarm:NOSPACE");
        assertThat(ctl.ok("alarm", "list")).isEmpty();
        await().atMost(Duration.ofSeconds(20)).until(() -> everyMemberReports(false));
        assertThat(ctl.ok("put", "small", "1")).contains("OK");
        assertThat(ctl.ok("get", "small")).isEqualTo("small\n1\n");
    }
}
