package dev.ballot.node.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * etcdctl (Debian's etcd-client, installed by .ci/run) against three Ballot Raft nodes: every command a user
 * of etcd's CLI reaches for first.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ClientTally.class)
@Timeout(120)
class EtcdctlTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    EtcdCluster cluster;

    @BeforeAll
    void start() throws Exception {
        assertThat(Path.of("/usr/bin/etcdctl")).as("etcdctl: apt-get install etcd-client (.ci/run does)").exists();
        cluster = new EtcdCluster(work);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private Etcdctl ctl() {
        return new Etcdctl(List.of(cluster.endpoints()));
    }

    private List<String> command(String... args) {
        return ctl().command(args);
    }

    Etcdctl.Run etcdctl(String stdin, String... args) throws Exception {
        return ctl().run(stdin, args);
    }

    String ok(String... args) throws Exception {
        return ctl().ok(args);
    }

    JsonNode json(String... args) throws Exception {
        return ctl().json(args);
    }

    static String b64(JsonNode n) {
        return new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    @Test
    void putGetRangeOptionsAndDelete() throws Exception {
        assertThat(ok("put", "ctl/a", "1")).contains("OK");
        ok("put", "ctl/b", "2");
        ok("put", "ctl/c", "3");
        long rev = json("put", "ctl/a", "4").get("header").get("revision").asLong();
        assertThat(ok("get", "ctl/a")).isEqualTo("ctl/a\n4\n");
        assertThat(ok("get", "ctl/", "--prefix", "--keys-only")).contains("ctl/a", "ctl/b", "ctl/c");
        assertThat(ok("get", "ctl/", "--prefix", "--limit=2", "--sort-by=KEY", "--order=DESCEND"))
                .isEqualTo("ctl/c\n3\nctl/b\n2\n");
        assertThat(json("get", "ctl/", "--prefix", "--limit=1").get("count").asInt()).isEqualTo(3);
        assertThat(ok("get", "ctl/a", "--rev=" + (rev - 1))).isEqualTo("ctl/a\n1\n");
        assertThat(ok("get", "ctl/a", "--consistency=s")).isEqualTo("ctl/a\n4\n");
        assertThat(ok("get", "ctl/a", "ctl/c")).isEqualTo("ctl/a\n4\nctl/b\n2\n");
        assertThat(ok("del", "ctl/", "--prefix", "--prev-kv")).startsWith("3\n").contains("ctl/a\n4\n");
        assertThat(ok("get", "ctl/", "--prefix")).isEmpty();
    }

    @Test
    void txnWithCompares() throws Exception {
        ok("put", "ctltx/k", "v1");
        String txn = "val(\"ctltx/k\") = \"v1\"\nver(\"ctltx/k\") = \"1\"\n\nput ctltx/k v2\nput ctltx/other yes\n\nget ctltx/k\n\n";
        Etcdctl.Run r = etcdctl(txn, "txn");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("SUCCESS");
        Etcdctl.Run again = etcdctl(txn, "txn");
        assertThat(again.out()).startsWith("FAILURE").contains("ctltx/k\nv2");
        long mod = json("get", "ctltx/k").get("kvs").get(0).get("mod_revision").asLong();
        Etcdctl.Run byMod = etcdctl("mod(\"ctltx/k\") = \"" + mod + "\"\n\ndel ctltx/k\n\n\n", "txn");
        assertThat(byMod.out()).startsWith("SUCCESS");
        assertThat(ok("get", "ctltx/k")).isEmpty();
    }

    @Test
    void compactionAndTheCompactedError() throws Exception {
        long r1 = json("put", "ctlc/k", "1").get("header").get("revision").asLong();
        long r2 = json("put", "ctlc/k", "2").get("header").get("revision").asLong();
        assertThat(ok("compact", Long.toString(r2))).contains("compacted revision " + r2);
        Etcdctl.Run old = etcdctl(null, "get", "ctlc/k", "--rev=" + r1);
        assertThat(old.exit()).isNotZero();
        assertThat(old.out()).contains("etcdserver: mvcc: required revision has been compacted");
    }

    /** A long-running etcdctl (watch, elect): its output lines as they come; destroyed by {@link LongRun#close()}. */
    final class LongRun implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        LongRun(String... args) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true);
            pb.environment().put("ETCDCTL_API", "3");
            process = pb.start();
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was stopped
                }
            });
            reader.start();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy(); // SIGTERM: etcdctl elect resigns and closes its session
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5000);
        }
    }

    @Test
    void watchFromARevisionWithPrevKv() throws Exception {
        long start = json("put", "ctlw/a", "1").get("header").get("revision").asLong();
        try (LongRun watch = new LongRun("watch", "ctlw/", "--prefix", "--prev-kv", "--rev=" + start)) {
            ok("put", "ctlw/a", "2");
            ok("del", "ctlw/a");
            await().atMost(Duration.ofSeconds(20)).until(() -> watch.lines.size() >= 10);
            // PUT a 1 (replayed), PUT a 2 with prev 1, DELETE a with prev 2
            assertThat(watch.lines.subList(0, 10)).containsExactly("PUT", "ctlw/a", "1", "PUT", "ctlw/a", "1", "ctlw/a",
                    "2", "DELETE", "ctlw/a");
        }
    }

    @Test
    void leasesGrantAttachTimeToLiveListKeepAliveRevoke() throws Exception {
        String granted = ok("lease", "grant", "60");
        String id = granted.replaceAll("(?s)lease ([0-9a-f]+) granted.*", "$1");
        assertThat(id).matches("[0-9a-f]+");
        ok("put", "ctll/k", "v", "--lease=" + id);
        assertThat(ok("lease", "timetolive", id, "--keys")).contains("granted with TTL(60s)").contains("ctll/k");
        assertThat(ok("lease", "list")).contains(id);
        assertThat(ok("lease", "keep-alive", "--once", id)).contains("keepalived with TTL(60)");
        assertThat(ok("lease", "revoke", id)).contains("revoked");
        assertThat(ok("get", "ctll/k")).isEmpty();
        Etcdctl.Run missing = etcdctl(null, "lease", "revoke", id);
        assertThat(missing.out()).contains("etcdserver: requested lease not found");
        Etcdctl.Run badPut = etcdctl(null, "put", "ctll/k", "v", "--lease=" + id);
        assertThat(badPut.out()).contains("etcdserver: requested lease not found");
    }

    @Test
    void memberListEndpointStatusHealthAndLock() throws Exception {
        JsonNode members = json("member", "list");
        assertThat(members.get("members")).hasSize(3);
        assertThat(members.get("header").get("cluster_id").asLong()).isNotZero();
        String status = ok("endpoint", "status");
        assertThat(status.lines().count()).isEqualTo(3);
        assertThat(status).contains("3.5.17");
        assertThat(ok("endpoint", "health")).contains("is healthy");
        assertThat(ok("lock", "ctl-lock", "echo", "inside-the-lock")).contains("inside-the-lock");
    }

    @Test
    void electedLeaderIsObservedAndTheNextCandidateWaitsForIt() throws Exception {
        try (LongRun first = new LongRun("elect", "ctl-elect2", "first");
             LongRun observer = new LongRun("elect", "--listen", "ctl-elect2")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> first.lines.contains("first"));
            await().atMost(Duration.ofSeconds(20)).until(() -> observer.lines.contains("first"));
            try (LongRun second = new LongRun("elect", "ctl-elect2", "second")) {
                // the observer and a third party see only the first leader while it lives
                await("the second candidate's key").atMost(Duration.ofSeconds(20))
                        .until(() -> json("get", "ctl-elect2/", "--prefix").get("count").asInt() == 2);
                assertThat(second.lines).doesNotContain("second");
                first.close(); // SIGTERM: it resigns and revokes its session's lease; the second wins
                await().atMost(Duration.ofSeconds(30)).until(() -> second.lines.contains("second"));
                await().atMost(Duration.ofSeconds(20)).until(() -> observer.lines.contains("second"));
            }
        }
    }
}
