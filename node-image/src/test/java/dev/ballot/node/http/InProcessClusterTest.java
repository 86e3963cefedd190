package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballot.engine.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Checks on an {@link InProcessCluster} that the driver honours the engines' Ready contract and that the API
 * works across members.
 */
class InProcessClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private InProcessCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private void startCluster(Protocol protocol) throws Exception {
        cluster = InProcessCluster.start(protocol);
    }

    private HttpResponse<String> call(long node, String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + cluster.address(node) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A linearizable read, retried while an election makes the cluster answer 503. */
    private String readEventually(long node, String key) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> call(node, "GET", "/v1/kv/" + key, null),
                r -> r.statusCode() == 200).body();
    }

    private Optional<Long> agreedLeader() {
        return cluster.agreedLeader();
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void electsWritesThroughAnyMemberReadsBackAndTransfersLeadership(Protocol protocol) throws Exception {
        startCluster(protocol);
        long leader = await().atMost(Duration.ofSeconds(20)).until(this::agreedLeader, Optional::isPresent).orElseThrow();
        long follower = leader % 3 + 1;
        await().atMost(Duration.ofSeconds(10)).until(() -> call(follower, "PUT", "/v1/kv/k1", "v1").statusCode() == 200);
        for (long id = 1; id <= 3; id++) {
            assertThat(readEventually(id, "k1")).as("linearizable read on node-%d", id).isEqualTo("v1");
        }
        long f = follower;
        await().atMost(Duration.ofSeconds(10)).until(() ->
                call(f, "GET", "/v1/kv/k1?consistency=serializable", null).statusCode() == 200);

        // On a loaded machine an election may happen at any time: compare with whoever leads now.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            long now = agreedLeader().orElseThrow();
            JsonNode st = JSON.readTree(call(now % 3 + 1, "GET", "/v1/status", null).body());
            assertThat(st.get("protocol").asText()).isEqualTo(protocol.wireName());
            assertThat(st.get("leaderId").asText()).isEqualTo("node-" + now);
            assertThat(st.get("members")).hasSize(3);
        });
        JsonNode st = JSON.readTree(call(follower, "GET", "/v1/status", null).body());
        if (protocol == Protocol.ZAB) {
            assertThat(st.get("zxid").asText()).startsWith("0x");
        }

        // Enough writes to cross several snapshots (every 5 entries) and have every member read them back.
        for (int i = 0; i < 30; i++) {
            int n = i;
            // A PUT is idempotent: retried through an election (503) until acknowledged.
            await().atMost(Duration.ofSeconds(20)).until(() -> call(n % 3 + 1, "PUT", "/v1/kv/many-" + n, "x" + n).statusCode() == 200);
        }
        for (int i = 0; i < 30; i++) {
            assertThat(readEventually(3 - i % 3, "many-" + i)).isEqualTo("x" + i);
        }

        long before = await().atMost(Duration.ofSeconds(20)).until(this::agreedLeader, Optional::isPresent).orElseThrow();
        HttpResponse<String> moved = call(before % 3 + 1, "POST", "/v1/admin/transfer-leadership", "{}");
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        String newLeader = JSON.readTree(moved.body()).get("leader").asText();
        assertThat(newLeader).isNotEqualTo("node-" + before);
        await().atMost(Duration.ofSeconds(10)).until(() -> call(before, "PUT", "/v1/kv/k2", "v2").statusCode() == 200);
        assertThat(readEventually(before % 3 + 1, "k2")).isEqualTo("v2");
    }
}
