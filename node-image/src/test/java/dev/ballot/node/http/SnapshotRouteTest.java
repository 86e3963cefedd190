package dev.ballot.node.http;

import dev.ballot.engine.Protocol;
import dev.ballot.engine.kv.KvStateMachine;
import dev.ballot.nodeapi.NodePaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/admin/snapshot} on three real engines: the image holds every acknowledged write, headers describe it. */
class SnapshotRouteTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private InProcessCluster cluster;

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<byte[]> call(long node, String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + cluster.address(node) + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aFollowerForwardsToTheLeaderWhoseImageHoldsEveryAcknowledgedWrite(Protocol protocol) throws Exception {
        cluster = InProcessCluster.start(protocol);
        long leader = await().atMost(Duration.ofSeconds(20)).until(cluster::agreedLeader, Optional::isPresent).orElseThrow();
        for (int i = 0; i < 12; i++) { // crosses snapshots (every 5 entries) on every member
            int n = i;
            await().atMost(Duration.ofSeconds(20)).until(() -> call(n % 3 + 1, "PUT", "/v1/kv/k" + n, "v" + n).statusCode() == 200);
        }
        long follower = cluster.agreedLeader().orElse(leader) % 3 + 1;
        HttpResponse<byte[]> r = await().atMost(Duration.ofSeconds(20))
                .until(() -> call(follower, "GET", NodePaths.SNAPSHOT, null), x -> x.statusCode() == 200);

        assertThat(r.headers().firstValue(NodePaths.SNAPSHOT_SHA256_HEADER)).contains(SnapshotRoute.sha256(r.body()));
        assertThat(r.headers().firstValue(NodePaths.SNAPSHOT_PROTOCOL_HEADER)).contains(protocol.wireName());
        assertThat(r.headers().firstValue(NodePaths.SNAPSHOT_MACHINE_HEADER)).contains("kv");
        assertThat(r.headers().firstValue(NodePaths.SNAPSHOT_MEMBER_HEADER)).hasValueSatisfying(m -> assertThat(m).startsWith("node-"));
        long index = Long.parseLong(r.headers().firstValue(NodePaths.SNAPSHOT_INDEX_HEADER).orElseThrow());
        assertThat(Long.parseLong(r.headers().firstValue(NodePaths.SNAPSHOT_TERM_HEADER).orElseThrow())).isPositive();

        KvStateMachine image = new KvStateMachine();
        image.restore(r.body());
        assertThat(image.appliedIndex()).as("the machine's own applied index").isEqualTo(index);
        for (int i = 0; i < 12; i++) {
            assertThat(new String(image.get("k" + i).orElseThrow().value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
            assertThat(image.get("k" + i).orElseThrow().revision()).isLessThanOrEqualTo(index);
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void serializableIsTheAskedMembersOwnAndBadConsistencyNamesTheField(Protocol protocol) throws Exception {
        cluster = InProcessCluster.start(protocol);
        await().atMost(Duration.ofSeconds(20)).until(cluster::agreedLeader, Optional::isPresent);
        HttpResponse<byte[]> own = await().atMost(Duration.ofSeconds(20))
                .until(() -> call(2, "GET", NodePaths.SNAPSHOT + "?consistency=serializable", null), x -> x.statusCode() == 200);
        assertThat(own.headers().firstValue(NodePaths.SNAPSHOT_MEMBER_HEADER)).contains("node-2");

        HttpResponse<byte[]> bad = call(2, "GET", NodePaths.SNAPSHOT + "?consistency=stale", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("\"field\":\"consistency\"");
        assertThat(call(2, "POST", NodePaths.SNAPSHOT, "").statusCode()).isEqualTo(405);
    }
}
