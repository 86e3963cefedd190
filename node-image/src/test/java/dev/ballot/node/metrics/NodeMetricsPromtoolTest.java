package dev.ballot.node.metrics;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real members' /metrics, as Prometheus scrapes them, pass the real {@code promtool check metrics} (Prometheus'
 * naming and exposition lint), and name exactly the metric families, with the types, that docs/metrics.md
 * documents (dashboards and alert rules depend on those names).
 */
class NodeMetricsPromtoolTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/metrics.md");
    /** A row of docs/metrics.md's node table: | `name` | type | ... */
    private static final Pattern DOC_ROW = Pattern.compile("^\\| `(ballot_[a-z_]+)`(?:\\{[^}]*})? \\| (counter|gauge|histogram) \\|",
            Pattern.MULTILINE);
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);

    private static Path promtool;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @BeforeAll
    static void findPromtool() throws Exception {
        promtool = Promtool.find();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(180)
    void everyMembersMetricsPassPromtoolAndMatchTheDocs(Protocol protocol) throws Exception {
        try (LocalCluster cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, work, NODE_JVM)) {
            if (protocol == Protocol.RAFT) {
                cluster.enableEtcd(); // as the operator runs Raft members: their etcd API's families are documented too
            }
            cluster.startAll();
            long leader = await("a leader").atMost(Duration.ofSeconds(60)).until(cluster::leader, Optional::isPresent)
                    .orElseThrow().id();
            if (protocol == Protocol.RAFT) { // the etcd API is its client API
                try (io.etcd.jetcd.Client etcd = io.etcd.jetcd.Client.builder().endpoints(cluster.nodes().stream().map(n -> cluster.etcdEndpoint(n.id())).toArray(String[]::new))
                        .build()) {
                    etcd.getKVClient().put(io.etcd.jetcd.ByteSequence.from("k".getBytes()),
                            io.etcd.jetcd.ByteSequence.from("v".getBytes())).get(20, java.util.concurrent.TimeUnit.SECONDS);
                }
            } else {
                KvClient client = new KvClient(List.of(cluster.clientAddress(leader)), Duration.ofSeconds(2));
                await("a write acknowledged").atMost(Duration.ofSeconds(20)).until(() -> client.tryPut("k", "v"));
            }
            await("the leader's commit latency histogram counts it").atMost(Duration.ofSeconds(10))
                    .until(() -> value(cluster.metrics(leader).orElse(""), "ballot_commit_latency_seconds_count"), v -> v > 0);

            for (LocalCluster.Node n : cluster.nodes()) {
                String scrape = scrape(cluster, n.id());
                Promtool.Run check = Promtool.run(List.of(promtool.toString(), "check", "metrics"), scrape, 60);
                assertThat(check.exitCode()).as("promtool check metrics on %s's /metrics:\n%s%s\n--- scrape:\n%s",
                        n.name(), check.stdout(), check.stderr(), scrape).isZero();
                assertThat(check.stdout() + check.stderr()).as("promtool's findings on %s", n.name()).isBlank();
            }

            String leaderScrape = scrape(cluster, leader);
            Map<String, String> expected = documented();
            if (protocol != Protocol.RAFT) {
                expected.keySet().removeIf(name -> name.startsWith("ballot_etcd_")); // the etcd API is Raft's
            }
            assertThat(families(leaderScrape)).as("the leader's metric families vs docs/metrics.md (%s)", DOC)
                    .isEqualTo(expected);
            assertThat(leaderScrape).as("no quota: NaN, so no ratio alert can match").contains("ballot_keyspace_quota_bytes NaN");
            assertThat(value(leaderScrape, "ballot_is_leader")).isEqualTo(1);
            assertThat(value(leaderScrape, "ballot_voters")).isEqualTo(3);
            assertThat(value(leaderScrape, "ballot_is_voter")).isEqualTo(1);
            assertThat(leaderScrape).contains("protocol=\"" + protocol.wireName() + "\"");
            assertThat(value(leaderScrape, "ballot_storage_bytes")).isPositive();
            assertThat(value(leaderScrape, "ballot_storage_volume_free_bytes")).isPositive()
                    .isLessThanOrEqualTo(value(leaderScrape, "ballot_storage_volume_size_bytes"));
        }
    }

    private static Map<String, String> families(String scrape) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(scrape);
        while (m.find()) {
            String name = m.group(1);
            out.put(m.group(2).equals("counter") && !name.endsWith("_total") ? name + "_total" : name, m.group(2));
        }
        return out;
    }

    private static Map<String, String> documented() throws Exception {
        Map<String, String> out = new TreeMap<>();
        Matcher m = DOC_ROW.matcher(Files.readString(DOC));
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /**
     * A member's /metrics, asked again until it answers: one call has the cluster client's short deadline, which a
     * member busy with a fresh etcd client's first calls missed once with another test JVM beside (CI rehearsal).
     */
    private static String scrape(LocalCluster cluster, long id) {
        return await("/metrics of member " + id).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> cluster.metrics(id), Optional::isPresent).orElseThrow();
    }

    /** The value of an unlabelled sample; -1 when the scrape has none. */
    private static double value(String scrape, String name) {
        Matcher m = Pattern.compile("^" + name + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
