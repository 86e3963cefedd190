package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.attack.TlsAttacker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The plain metrics port ({@code BALLOT_METRICS_ADDRESS}) of a real TLS member, read with curl as Prometheus reads it:
 * plain HTTP, the same metric families as the HTTPS {@code /metrics}, 404 for every path but {@code /metrics} (no
 * status, no keys), no TLS on it; and the API port still refuses plain HTTP.
 */
class MetricsListenerProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(120)
    void aTlsMemberServesItsMetricsInPlainHttpOnTheMetricsPortOnly() throws Exception {
        System.out.println("MetricsListenerProcessTest: node log in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, DemoTiming.SEED, work, NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Optional");
            TlsAttacker curl = new TlsAttacker(work, tls.dir().resolve("client").resolve("ca.crt"));
            String host = cluster.node(1).host();
            String metricsAddress = host + ":" + freePort(host);
            cluster.start(1, Map.of("BALLOT_METRICS_ADDRESS", metricsAddress));
            String api = "https://" + cluster.clientAddress(1);
            await("node ready (log " + cluster.node(1).log() + ")").atMost(Duration.ofSeconds(60))
                    .until(() -> cluster.ready(1));
            assertThat(curl.curl(tls.client(), "PUT", api + "/v1/kv/secret", "value")).startsWith("200 ");

            String plain = curl.curl(null, "GET", "http://" + metricsAddress + "/metrics", null);
            String https = curl.curl(null, "GET", api + "/metrics", null);
            assertThat(plain).startsWith("200 ").contains("ballot_elections_total");
            assertThat(https).startsWith("200 ");
            assertThat(families(plain)).as("the metrics port serves the API's metrics").isEqualTo(families(https))
                    .hasSizeGreaterThan(10);

            for (String path : List.of("/v1/status", "/v1/kv/secret", "/v1/admin/members", "/healthz", "/")) {
                assertThat(curl.curl(null, "GET", "http://" + metricsAddress + path, null)).as(path)
                        .startsWith("404 ").contains("metrics port").doesNotContain("value");
            }
            assertThat(curl.curl(null, "PUT", "http://" + metricsAddress + "/v1/kv/secret", "changed"))
                    .startsWith("404 ");
            assertThat(curl.curl(tls.client(), "GET", api + "/v1/kv/secret", null)).isEqualTo("200 value");
            assertThat(curl.curl(null, "GET", "https://" + metricsAddress + "/metrics", null))
                    .as("no TLS on the metrics port").startsWith("000 ");
            assertThat(curl.curl(null, "GET", "http://" + cluster.clientAddress(1) + "/metrics", null))
                    .as("the API port still refuses plain HTTP").startsWith("000 ");
            System.out.println("MetricsListenerProcessTest: " + families(plain).size() + " metric families on http://"
                    + metricsAddress + "/metrics, the same as on " + api + "/metrics");
        }
    }

    /** The metric family names of a Prometheus text answer ({@code # TYPE name kind}). */
    private static Set<String> families(String answer) {
        Set<String> names = new TreeSet<>();
        answer.lines().filter(l -> l.startsWith("# TYPE ")).forEach(l -> names.add(l.split(" ")[2]));
        return names;
    }

    private static int freePort(String host) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }
}
