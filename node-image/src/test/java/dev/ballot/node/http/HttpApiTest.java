package dev.ballot.node.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.node.metrics.NodeMetrics;
import dev.ballot.node.server.FakeConsensusNode;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RecordingStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP API against fake engines: one leader, one follower that forwards to it, one node with no leader. */
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Membership membership = Membership.of(List.of(
            new Member(1, MemberKind.VOTER, "127.0.0.1:1"), new Member(2, MemberKind.VOTER, "127.0.0.1:2")));
    private int leaderPort;
    private int followerPort;
    private int leaderlessPort;
    private FakeConsensusNode leaderNode;

    @BeforeEach
    void startNodes() throws Exception {
        leaderNode = new FakeConsensusNode(1, membership, 1);
        MemberDirectory leaderDir = new MemberDirectory(List.of(), 0);
        MemberDirectory followerDir = new MemberDirectory(List.of(), 0);
        leaderPort = start(leaderNode, leaderDir);
        followerPort = start(new FakeConsensusNode(2, membership, 1), followerDir);
        leaderlessPort = start(new FakeConsensusNode(2, membership, 0), new MemberDirectory(List.of(), 0));
        for (MemberDirectory d : List.of(leaderDir, followerDir)) {
            d.register(new MemberDirectory.Entry(1, "node-1", "127.0.0.1:1", "127.0.0.1:" + leaderPort));
            d.register(new MemberDirectory.Entry(2, "node-2", "127.0.0.1:2", "127.0.0.1:" + followerPort));
        }
    }

    private int start(FakeConsensusNode node, MemberDirectory dir) throws Exception {
        dir.learn(node.membership());
        NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), node, PersistedState.EMPTY, node.membership(), new RecordingStorage(), m -> true,
                NodeRuntime.Options.defaults()).start();
        NodeMetrics metrics = new NodeMetrics(rt::status, dir);
        rt.addListener(metrics);
        NodeInfo info = new NodeInfo(rt, dir, "test-cluster", Protocol.RAFT, "test", Duration.ofSeconds(10));
        HttpApi api = new HttpApi(info, metrics, new InetSocketAddress("127.0.0.1", 0)).start();
        closeables.add(api);
        closeables.add(rt);
        return api.port();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private HttpResponse<String> call(int port, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void putGetDeleteOnTheLeader() throws Exception {
        HttpResponse<String> put = call(leaderPort, "PUT", "/v1/kv/greeting", "hello");
        assertThat(put.statusCode()).isEqualTo(200);
        long revision = json(put).get("revision").asLong();
        assertThat(revision).isPositive();
        HttpResponse<String> get = call(leaderPort, "GET", "/v1/kv/greeting", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("hello");
        assertThat(get.headers().firstValue("Ballot-Revision")).hasValue(Long.toString(revision));
        assertThat(call(leaderPort, "DELETE", "/v1/kv/greeting", null).statusCode()).isEqualTo(200);
        HttpResponse<String> gone = call(leaderPort, "GET", "/v1/kv/greeting", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(json(gone).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void compareAndSetSucceedsOnlyOnTheExpectedValue() throws Exception {
        assertThat(call(leaderPort, "POST", "/v1/kv/lock/cas", "{\"expect\": null, \"value\": \"me\"}").statusCode()).isEqualTo(200);
        HttpResponse<String> lost = call(leaderPort, "POST", "/v1/kv/lock/cas", "{\"expect\": null, \"value\": \"you\"}");
        assertThat(lost.statusCode()).isEqualTo(409);
        assertThat(json(lost).get("current").asText()).isEqualTo("me");
        assertThat(call(leaderPort, "POST", "/v1/kv/lock/cas", "{\"expect\": \"me\", \"value\": \"you\"}").statusCode()).isEqualTo(200);
        assertThat(call(leaderPort, "GET", "/v1/kv/lock", null).body()).isEqualTo("you");
    }

    @Test
    void aFollowerForwardsWritesAndLinearizableReadsToTheLeader() throws Exception {
        HttpResponse<String> put = call(followerPort, "PUT", "/v1/kv/via-follower", "v1");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(call(leaderPort, "GET", "/v1/kv/via-follower", null).body()).isEqualTo("v1");
        assertThat(call(followerPort, "GET", "/v1/kv/via-follower", null).body()).isEqualTo("v1");
        // The fake follower never applies the leader's log, so a serializable read there is a miss: proof it stayed local.
        assertThat(call(followerPort, "GET", "/v1/kv/via-follower?consistency=serializable", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aForwardToALeaderThatStoppedAnsweringEndsAsSoonAsTheFollowerSeesTheLeaderChange() throws Exception {
        // The kernel accepts connections for this socket, but nothing ever answers: a leader stopped by SIGSTOP.
        try (ServerSocket silentLeader = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            FakeConsensusNode follower = new FakeConsensusNode(2, membership, 1);
            MemberDirectory dir = new MemberDirectory(List.of(), 0);
            int port = start(follower, dir);
            dir.register(new MemberDirectory.Entry(1, "node-1", "127.0.0.1:1", "127.0.0.1:" + silentLeader.getLocalPort()));
            dir.register(new MemberDirectory.Entry(2, "node-2", "127.0.0.1:2", "127.0.0.1:" + port));
            CompletableFuture<HttpResponse<String>> put = client.sendAsync(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v1/kv/x")).PUT(HttpRequest.BodyPublishers.ofString("v")).build(),
                    HttpResponse.BodyHandlers.ofString());
            try (Socket forwarded = silentLeader.accept()) {
                assertThat(put).isNotDone();
                follower.becomeFollowerOf(0, 2); // its election timer fired: it no longer follows node-1

                HttpResponse<String> r = put.get(1, TimeUnit.SECONDS); // before the forward's own deadline (1.5 s)
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(json(r).get("error").asText()).isEqualTo("outcome_unknown");
            }
        }
    }

    @Test
    void aFollowerRedirectsWhenTheClientAsks() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + followerPort + "/v1/kv/x"))
                .header("Ballot-No-Forward", "1").PUT(HttpRequest.BodyPublishers.ofString("v")).build();
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(307);
        assertThat(r.headers().firstValue("Location")).hasValue("http://127.0.0.1:" + leaderPort + "/v1/kv/x");
        assertThat(json(r).get("leader").asText()).isEqualTo("node-1");
    }

    @Test
    void withoutALeaderWritesAnswer503NoLeader() throws Exception {
        HttpResponse<String> r = call(leaderlessPort, "PUT", "/v1/kv/x", "v");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).get("error").asText()).isEqualTo("no_leader");
    }

    @Test
    void badRequestsNameTheFieldAndTheFix() throws Exception {
        HttpResponse<String> badJson = call(leaderPort, "POST", "/v1/kv/k/cas", "{not json");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(json(badJson).get("error").asText()).isEqualTo("bad_json");
        assertThat(json(badJson).get("field").asText()).isEqualTo("body");

        HttpResponse<String> noExpect = call(leaderPort, "POST", "/v1/kv/k/cas", "{\"value\": \"v\"}");
        assertThat(noExpect.statusCode()).isEqualTo(400);
        assertThat(json(noExpect).get("field").asText()).isEqualTo("expect");

        HttpResponse<String> longKey = call(leaderPort, "PUT", "/v1/kv/" + "k".repeat(1025), "v");
        assertThat(longKey.statusCode()).isEqualTo(413);
        assertThat(json(longKey).get("error").asText()).isEqualTo("key_too_large");
        assertThat(json(longKey).get("field").asText()).isEqualTo("key");
        assertThat(json(longKey).get("message").asText()).contains("the limit is 1024 bytes (node configuration 'max_key_bytes')");

        HttpResponse<String> emptyKey = call(leaderPort, "PUT", "/v1/kv/", "v");
        assertThat(emptyKey.statusCode()).isEqualTo(400);
        assertThat(json(emptyKey).get("field").asText()).isEqualTo("key");

        HttpResponse<String> wrongMethod = call(leaderPort, "PATCH", "/v1/kv/k", "v");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(json(wrongMethod).get("field").asText()).isEqualTo("method");
        assertThat(wrongMethod.headers().firstValue("Allow")).isPresent();

        HttpResponse<String> consistency = call(leaderPort, "GET", "/v1/kv/k?consistency=eventual", null);
        assertThat(consistency.statusCode()).isEqualTo(400);
        assertThat(json(consistency).get("field").asText()).isEqualTo("consistency");

        HttpResponse<String> unknownMember = call(leaderPort, "POST", "/v1/admin/transfer-leadership", "{\"to\": \"node-9\"}");
        assertThat(unknownMember.statusCode()).isEqualTo(404);
        assertThat(json(unknownMember).get("error").asText()).isEqualTo("unknown_member");
        assertThat(json(unknownMember).get("field").asText()).isEqualTo("to");

        HttpResponse<String> badKind = call(leaderPort, "POST", "/v1/admin/members",
                "{\"id\": \"node-3\", \"address\": \"127.0.0.1:3\", \"kind\": \"observer\"}");
        assertThat(badKind.statusCode()).isEqualTo(400);
        assertThat(json(badKind).get("field").asText()).isEqualTo("kind");

        HttpResponse<String> badAddress = call(leaderPort, "POST", "/v1/admin/members",
                "{\"id\": \"node-3\", \"address\": \"nowhere\", \"kind\": \"learner\"}");
        assertThat(badAddress.statusCode()).isEqualTo(400);
        assertThat(json(badAddress).get("field").asText()).isEqualTo("address");

        HttpResponse<String> nowhere = call(leaderPort, "GET", "/v2/nothing", null);
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(json(nowhere).get("field").asText()).isEqualTo("path");
    }

    @Test
    void statusNamesMembersAndTheLeader() throws Exception {
        JsonNode st = json(call(followerPort, "GET", "/v1/status", null));
        assertThat(st.get("clusterId").asText()).isEqualTo("test-cluster");
        assertThat(st.get("nodeId").asText()).isEqualTo("node-2");
        assertThat(st.get("protocol").asText()).isEqualTo("raft");
        assertThat(st.get("role").asText()).isEqualTo("follower");
        assertThat(st.get("leaderId").asText()).isEqualTo("node-1");
        assertThat(st.get("leaderAddress").asText()).isEqualTo("127.0.0.1:" + leaderPort);
        assertThat(st.get("members")).hasSize(2);
        assertThat(st.get("members").get(0).get("id").asText()).isEqualTo("node-1");
        assertThat(st.get("members").get(0).get("kind").asText()).isEqualTo("voter");
        assertThat(st.get("members").get(1).get("self").asBoolean()).isTrue();
    }

    @Test
    void membershipChangesAreIdempotent() throws Exception {
        String add = "{\"id\": \"node-3\", \"address\": \"127.0.0.1:3\", \"kind\": \"learner\"}";
        HttpResponse<String> first = call(followerPort, "POST", "/v1/admin/members", add);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"learner\"");
        assertThat(call(leaderPort, "POST", "/v1/admin/members", add).statusCode()).isEqualTo(200);
        HttpResponse<String> promoted = call(leaderPort, "POST", "/v1/admin/members/node-3/promote", null);
        assertThat(promoted.statusCode()).isEqualTo(200);
        assertThat(json(promoted).get("members").get(2).get("kind").asText()).isEqualTo("voter");
        assertThat(call(leaderPort, "POST", "/v1/admin/members/node-3/promote", null).statusCode()).isEqualTo(200);
        assertThat(call(leaderPort, "DELETE", "/v1/admin/members/node-3", null).statusCode()).isEqualTo(200);
        HttpResponse<String> again = call(leaderPort, "DELETE", "/v1/admin/members/node-3", null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("members")).hasSize(2);
    }

    @Test
    void transferLeadershipAnswersWithTheNewLeaderAndTerm() throws Exception {
        HttpResponse<String> r = call(leaderPort, "POST", "/v1/admin/transfer-leadership", "{\"to\": \"node-2\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("leader").asText()).isEqualTo("node-2");
        assertThat(json(r).get("term").asLong()).isEqualTo(2);
    }

    @Test
    void aRefusedTransferIs409() throws Exception {
        leaderNode.acceptTransfers = false;
        HttpResponse<String> r = call(leaderPort, "POST", "/v1/admin/transfer-leadership", "{}");
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(json(r).get("error").asText()).isEqualTo("transfer_refused");
    }

    @Test
    void healthReadinessAndMetrics() throws Exception {
        assertThat(call(leaderPort, "GET", "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(call(leaderPort, "GET", "/readyz", null).statusCode()).isEqualTo(200);
        HttpResponse<String> notReady = call(leaderlessPort, "GET", "/readyz", null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(json(notReady).get("message").asText()).contains("no leader");
        call(leaderPort, "PUT", "/v1/kv/m", "1");
        String metrics = call(leaderPort, "GET", "/metrics", null).body();
        assertThat(metrics).contains("ballot_term 1").contains("ballot_is_leader 1")
                .contains("ballot_commit_latency_seconds_count 1").contains("ballot_peer_lag_entries{peer=\"node-2\"}");
    }

    @Test
    void theEventStreamSendsStatusAtConnectAndOnLeaderChange() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + leaderPort + "/v1/status/events")).build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertThat(in.readLine()).isEqualTo("event: status");
            assertThat(JSON.readTree(in.readLine().substring("data: ".length())).get("role").asText()).isEqualTo("leader");
            assertThat(in.readLine()).isEmpty();
            assertThat(call(leaderPort, "POST", "/v1/admin/transfer-leadership", "{}").statusCode()).isEqualTo(200);
            assertThat(in.readLine()).isEqualTo("event: status");
            JsonNode changed = JSON.readTree(in.readLine().substring("data: ".length()));
            assertThat(changed.get("role").asText()).isEqualTo("follower");
            assertThat(changed.get("leaderId").asText()).isEqualTo("node-2");
        }
    }
}
