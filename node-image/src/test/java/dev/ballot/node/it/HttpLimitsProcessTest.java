package dev.ballot.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HTTP API's limits on a real node process (96 MiB heap): oversized bodies, keys and values are refused with 413
 * naming the limit and its configuration key and are not applied; event subscribers, connections and slow requests
 * are capped; and through all of it the node keeps serving.
 */
class HttpLimitsProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final Map<String, String> LIMITS = Map.of("BALLOT_CLIENT_REQUEST_TIMEOUT", "2s",
            "BALLOT_MAX_CLIENT_CONNECTIONS", "16", "BALLOT_MAX_EVENT_SUBSCRIBERS", "2");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(120)
    void oversizedSlowAndTooManyRequestsAreRefusedCleanlyAndTheNodeKeepsServing() throws Exception {
        System.out.println("HttpLimitsProcessTest: node log in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, DemoTiming.SEED, work, NODE_JVM)) {
            cluster.start(1, LIMITS);
            String base = "http://" + cluster.clientAddress(1);
            await("node ready").atMost(Duration.ofSeconds(60)).until(() -> cluster.ready(1));
            assertThat(put(base, "small", new byte[100]).statusCode()).isEqualTo(200);

            // Sizes: 413, the field, the limit and the key that raises it; nothing applied.
            JsonNode body = error(put(base, "big-body", new byte[2 << 20]), 413);
            assertThat(body.path("error").asText()).isEqualTo("body_too_large");
            assertThat(body.path("field").asText()).isEqualTo("body");
            assertThat(body.path("message").asText()).contains("1572864 bytes").contains("'max_request_bytes'");
            JsonNode value = error(put(base, "big-value", new byte[(1 << 20) + 1]), 413);
            assertThat(value.path("error").asText()).isEqualTo("value_too_large");
            assertThat(value.path("field").asText()).isEqualTo("value");
            assertThat(value.path("message").asText()).contains("1048577 bytes").contains("1048576 bytes")
                    .contains("'max_value_bytes'");
            JsonNode key = error(put(base, "k".repeat(1025), new byte[1]), 413);
            assertThat(key.path("error").asText()).isEqualTo("key_too_large");
            assertThat(key.path("field").asText()).isEqualTo("key");
            assertThat(key.path("message").asText()).contains("1025 bytes").contains("'max_key_bytes'");
            assertThat(get(base, "big-body").statusCode()).isEqualTo(404);
            assertThat(get(base, "big-value").statusCode()).isEqualTo(404);
            assertThat(put(base, "max-value", new byte[1 << 20]).statusCode()).as("exactly the limit is fine").isEqualTo(200);

            // Event subscribers: two streams, the third is refused.
            List<Socket> streams = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = rawRequest(cluster.clientAddress(1), "GET /v1/status/events HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(readSome(s)).startsWith("HTTP/1.1 200");
                    streams.add(s);
                }
                JsonNode third = error(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status/events"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()), 503);
                assertThat(third.path("error").asText()).isEqualTo("too_many_subscribers");
                assertThat(third.path("message").asText()).contains("'max_event_subscribers'");
            } finally {
                for (Socket s : streams) {
                    s.close();
                }
            }

            // Slowloris: requests whose headers drip in are closed at the 2 s request deadline.
            List<Socket> slow = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 8; i++) {
                slow.add(rawRequest(cluster.clientAddress(1), "GET /v1/status HTTP/1.1\r\nHost: x\r\n"));
            }
            List<Long> closedAfterMs = new ArrayList<>();
            for (Socket s : slow) {
                closedAfterMs.add(dripUntilClosed(s, start));
            }
            System.out.println("HttpLimitsProcessTest: slow requests closed after " + closedAfterMs + " ms");
            assertThat(closedAfterMs).allMatch(ms -> ms < 8_000);

            // Connections: beyond 16 open at once, new ones are closed on accept; freed slots serve again.
            List<Socket> idle = new ArrayList<>();
            int closedAtOnce = 0;
            try {
                for (int i = 0; i < 24; i++) {
                    Socket s = new Socket();
                    s.connect(new java.net.InetSocketAddress(cluster.clientAddress(1).split(":")[0],
                            Integer.parseInt(cluster.clientAddress(1).split(":")[1])), 2_000);
                    idle.add(s);
                }
                for (Socket s : idle) {
                    s.setSoTimeout(300);
                    try {
                        if (s.getInputStream().read() == -1) {
                            closedAtOnce++;
                        }
                    } catch (SocketTimeoutException stillOpen) {
                        // within the cap
                    } catch (IOException reset) {
                        closedAtOnce++;
                    }
                }
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
            System.out.println("HttpLimitsProcessTest: of 24 idle connections, " + closedAtOnce + " were closed at once");
            assertThat(closedAtOnce).isGreaterThanOrEqualTo(8);

            await("the node serves again").atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> put(base, "after", new byte[10]).statusCode() == 200);
            assertThat(get(base, "small").statusCode()).as("nothing lost").isEqualTo(200);
            assertThat(get(base, "max-value").body().length()).isEqualTo(1 << 20);
            assertThat(cluster.node(1).running()).isTrue();
        }
    }

    private HttpResponse<String> put(String base, String key, byte[] value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String base, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private static JsonNode error(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as("status; body %s", r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static Socket rawRequest(String hostPort, String text) throws IOException {
        String[] hp = hostPort.split(":");
        Socket s = new Socket(hp[0], Integer.parseInt(hp[1]));
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private static String readSome(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        byte[] buf = new byte[64];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** Sends one header byte every 200 ms until the node closes the connection; ms since {@code startNanos}. */
    private static long dripUntilClosed(Socket s, long startNanos) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        s.setSoTimeout(200);
        try (s) {
            for (int i = 0; i < 100; i++) {
                try {
                    if (in.read() == -1) {
                        break;
                    }
                } catch (SocketTimeoutException notYet) {
                    // still open
                } catch (IOException reset) {
                    break;
                }
                try {
                    out.write('X');
                    out.flush();
                } catch (IOException closed) {
                    break;
                }
            }
        }
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
