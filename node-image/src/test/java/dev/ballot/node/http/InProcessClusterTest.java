package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;
import dev.ballot.node.metrics.NodeMetrics;
import dev.ballot.node.server.EngineFactory;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RecordingDurability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three real engines (Raft or ZAB) behind the real driver and HTTP API, wired in one process:
 * messages pass through each protocol's codec, storage is an in-memory recorder. Checks that the
 * driver honours the engines' Ready contract and that the API works across members.
 */
class InProcessClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<Long, NodeRuntime<KvMachine, KvResult>> runtimes = new HashMap<>();
    private final Map<Long, Integer> ports = new HashMap<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static String config(Protocol protocol, long self) {
        if (protocol == Protocol.RAFT) {
            return """
                    raft:
                      cluster_id: "in-process"
                      node_id: "node-%d"
                      listen_address: "127.0.0.%d:2380"
                      peers: ["127.0.0.1:2380", "127.0.0.2:2380", "127.0.0.3:2380"]
                      client_address: "127.0.0.%d:2379"
                    """.formatted(self, self, self);
        }
        return """
                tickTime=50
                initLimit=10
                syncLimit=4
                clusterId=in-process
                nodeId=node-%d
                bindHost=127.0.0.%d
                server.1=127.0.0.1:2888:3888
                server.2=127.0.0.2:2888:3888
                server.3=127.0.0.3:2888:3888
                """.formatted(self, self);
    }

    private void startCluster(Protocol protocol) throws Exception {
        MessageCodec codec = protocol == Protocol.RAFT ? new RaftCodec() : new ZabCodec();
        List<MemberDirectory> directories = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            NodeConfig cfg = ConfigLoader.parse("node-" + id, config(protocol, id), Map.of());
            ConsensusNode engine = EngineFactory.create(cfg, PersistedState.EMPTY, 1000 + id);
            NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), engine, PersistedState.EMPTY, new RecordingDurability(), m -> route(codec, m),
                    new NodeRuntime.Options(Duration.ofMillis(10), 5)); // snapshot and compact every 5 entries
            runtimes.put(id, rt);
            List<MemberDirectory.Entry> entries = new ArrayList<>();
            for (PeerSpec p : cfg.members()) {
                entries.add(new MemberDirectory.Entry(p.id(), p.name(), p.peerAddress().toString(), p.clientAddress().toString()));
            }
            MemberDirectory dir = new MemberDirectory(entries, 0);
            directories.add(dir);
            NodeMetrics metrics = new NodeMetrics(rt::status, dir);
            rt.addListener(metrics);
            HttpApi api = new HttpApi(new NodeInfo(rt, dir, "in-process", protocol, "test", Duration.ofSeconds(15)),
                    metrics, new InetSocketAddress("127.0.0.1", 0));
            ports.put(id, api.start().port());
            closeables.add(api);
            closeables.add(rt);
        }
        for (MemberDirectory dir : directories) {
            for (long id = 1; id <= 3; id++) {
                dir.register(new MemberDirectory.Entry(id, "node-" + id, "", "127.0.0.1:" + ports.get(id)));
            }
        }
        runtimes.values().forEach(NodeRuntime::start);
    }

    private boolean route(MessageCodec codec, Message m) {
        NodeRuntime<KvMachine, KvResult> to = runtimes.get(m.to());
        if (to == null) {
            return false;
        }
        try {
            to.deliver(codec.decode(codec.encode(m)));
            return true;
        } catch (MalformedMessageException e) {
            throw new AssertionError("codec cannot read back its own message " + m, e);
        }
    }

    private HttpResponse<String> call(long node, String method, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(node) + path))
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
        Long leader = null;
        for (NodeRuntime<KvMachine, KvResult> rt : runtimes.values()) {
            long l = rt.status().leaderId();
            if (l == 0 || (leader != null && leader != l)) {
                return Optional.empty();
            }
            leader = l;
        }
        return Optional.ofNullable(leader).filter(l -> runtimes.get(l).status().isLeader());
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
