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
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.KvMachine;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.node.server.RecordingStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
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
import static org.awaitility.Awaitility.await;

/**
 * What a follower answers when its forward to the leader fails, against a "leader" that is a real socket this
 * test controls: the error must say "not applied" only when the request never left the follower.
 */
class ForwardingErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Membership membership = Membership.of(List.of(
            new Member(1, MemberKind.VOTER, "127.0.0.1:1"), new Member(2, MemberKind.VOTER, "127.0.0.1:2")));
    private ServerSocket leader;
    private int followerPort;

    @BeforeEach
    void startFollowerOfASocket() throws Exception {
        leader = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        closeables.add(leader);
        followerPort = followerOf(leader.getLocalPort());
    }

    private int followerOf(int leaderPort) throws Exception {
        FakeConsensusNode follower = new FakeConsensusNode(2, membership, 1);
        MemberDirectory dir = new MemberDirectory(List.of(), 0);
        dir.learn(follower.membership());
        NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), follower, PersistedState.EMPTY, follower.membership(), new RecordingStorage(), m -> true,
                NodeRuntime.Options.defaults()).start();
        NodeMetrics metrics = new NodeMetrics(rt::status, dir);
        HttpApi api = new HttpApi(new NodeInfo(rt, dir, "test-cluster", Protocol.RAFT, "test", Duration.ofSeconds(10)),
                metrics, new InetSocketAddress("127.0.0.1", 0)).start();
        closeables.add(api);
        closeables.add(rt);
        dir.register(new MemberDirectory.Entry(1, "node-1", "127.0.0.1:1", "127.0.0.1:" + leaderPort));
        dir.register(new MemberDirectory.Entry(2, "node-2", "127.0.0.1:2", "127.0.0.1:" + api.port()));
        return api.port();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + followerPort + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) throws Exception {
        JsonNode body = JSON.readTree(r.body());
        return r.statusCode() + " " + body.get("error").asText();
    }

    /** Accepts the forwarded request, reads it whole (so the leader has it), then drops the connection. */
    private void receiveThenDie() throws Exception {
        try (Socket s = leader.accept()) {
            readRequest(s.getInputStream());
            s.setSoLinger(true, 0); // RST, as a killed process's socket
        }
    }

    private static String readRequest(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        String h = head.toString().toLowerCase();
        int at = h.indexOf("content-length:");
        if (at >= 0) {
            int n = Integer.parseInt(h.substring(at + 15, h.indexOf("\r\n", at)).trim());
            in.readNBytes(n);
        }
        return head.toString();
    }

    @Test
    void aWriteTheLeaderReceivedBeforeItDiedIsOutcomeUnknownNeverNotApplied() throws Exception {
        CompletableFuture<HttpResponse<String>> put = send("PUT", "/v1/kv/x", "v");
        receiveThenDie();
        assertThat(error(put.get(5, TimeUnit.SECONDS))).isEqualTo("503 outcome_unknown");

        CompletableFuture<HttpResponse<String>> cas = send("POST", "/v1/kv/x/cas", "{\"expect\": null, \"value\": \"v\"}");
        receiveThenDie();
        assertThat(error(cas.get(5, TimeUnit.SECONDS))).isEqualTo("503 outcome_unknown");
    }

    @Test
    void aReadTheLeaderDroppedIsARetryableReadErrorNotOutcomeUnknown() throws Exception {
        CompletableFuture<HttpResponse<String>> get = send("GET", "/v1/kv/x", null);
        receiveThenDie();
        // The JDK client repeats a GET once on a fresh connection when the first one dies unanswered.
        try (Socket again = leader.accept()) {
            readRequest(again.getInputStream());
            again.setSoLinger(true, 0);
        } catch (java.io.IOException e) {
            // not repeated
        }
        HttpResponse<String> r = get.get(5, TimeUnit.SECONDS);
        assertThat(error(r)).isEqualTo("503 read_failed");
        assertThat(JSON.readTree(r.body()).get("message").asText()).contains("a read changes nothing");
    }

    @Test
    void aLeaderThatGetsTheWriteButNeverAnswersIsATimeoutWithinTheForwardDeadline() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> put = send("PUT", "/v1/kv/x", "v");
        try (Socket s = leader.accept()) {
            readRequest(s.getInputStream());
            HttpResponse<String> r = put.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(error(r)).isEqualTo("504 timeout");
            assertThat(ms).isBetween(LeaderForwarder.KV_FORWARD_DEADLINE.toMillis(), 2_500L);
        }
    }

    @Test
    void aLeaderThatCannotBeConnectedToIsNotAppliedAndIsNotForwardedToAgainUntilReachable() throws Exception {
        int deadPort = leader.getLocalPort();
        leader.close(); // connections to it are now refused: the request is never sent
        HttpResponse<String> first = send("PUT", "/v1/kv/x", "v").get(5, TimeUnit.SECONDS);
        assertThat(error(first)).isEqualTo("503 leader_unreachable");
        assertThat(JSON.readTree(first.body()).get("message").asText()).contains("Not applied");

        await("status to say the leader is unreachable").atMost(Duration.ofSeconds(3)).until(() ->
                JSON.readTree(send("GET", "/v1/status", null).get().body()).get("leaderReachable").asBoolean(true) == false);
        HttpResponse<String> ready = send("GET", "/readyz", null).get(5, TimeUnit.SECONDS);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(ready.body()).get("message").asText()).contains("cannot reach the leader");

        // Refused at once, without trying the dead link again.
        long t0 = System.nanoTime();
        HttpResponse<String> next = send("PUT", "/v1/kv/y", "v").get(5, TimeUnit.SECONDS);
        assertThat(error(next)).isEqualTo("503 leader_unreachable");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(300);

        // The leader comes back on the same address: the probe finds it and forwards resume.
        try (ServerSocket back = new ServerSocket(deadPort, 50, InetAddress.getLoopbackAddress())) {
            Thread healthz = new Thread(() -> {
                try (Socket s = back.accept()) {
                    readRequest(s.getInputStream());
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the test's assertion below fails instead
                }
            });
            healthz.start();
            await("status to say the leader is reachable again").atMost(Duration.ofSeconds(3)).until(() ->
                    JSON.readTree(send("GET", "/v1/status", null).get().body()).get("leaderReachable").asBoolean(false));
            healthz.join(3000);
        }
    }
}
