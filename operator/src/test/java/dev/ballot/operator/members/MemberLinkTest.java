package dev.ballot.operator.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.nodeapi.NodeClient;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One member link against a loopback node that has /v1/status but no event stream (404). */
class MemberLinkTest {
    private static final String STATUS = "{\"nodeId\":\"ec-0\",\"role\":\"leader\",\"term\":4,\"leaderId\":\"ec-0\"}";

    private HttpServer server;
    private final AtomicInteger streamAttempts = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();
    private volatile boolean up = true;
    /** How long /v1/status waits before it answers. */
    private volatile long answerDelayMs;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/v1/status/events", ex -> {
            streamAttempts.incrementAndGet();
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        server.createContext("/v1/status", ex -> {
            polls.incrementAndGet();
            try {
                Thread.sleep(answerDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!up) {
                ex.sendResponseHeaders(503, -1);
                ex.close();
                return;
            }
            byte[] body = STATUS.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void pollsWhenTheNodeHasNoStreamAndReportsWhenItStopsAnswering() {
        List<MemberObservation> seen = new CopyOnWriteArrayList<>();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        MemberLink link = link(seen);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                return seen.stream().anyMatch(o -> o.isReachable() && Long.valueOf(4).equals(o.status().term()));
            });
            assertThat(streamAttempts.get()).as("the stream was tried first").isPositive();
            assertThat(polls.get()).isPositive();

            up = false;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                MemberObservation last = seen.get(seen.size() - 1);
                return !last.isReachable() && last.error().contains("HTTP 503");
            });
        } finally {
            link.close();
        }
    }

    @Test
    void aMemberThatNeverAnsweredIsNotAnsweredYetUntilItDoes() {
        List<MemberObservation> seen = new CopyOnWriteArrayList<>();
        up = false;
        MemberLink link = link(seen);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                return !seen.isEmpty();
            });
            assertThat(seen.get(0).neverAnswered()).as("a failed first contact: " + seen.get(0)).isTrue();
            assertThat(seen.get(0).error()).contains("HTTP 503");

            up = true;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                return seen.get(seen.size() - 1).isReachable();
            });
            up = false;
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                return !seen.get(seen.size() - 1).isReachable();
            });
            MemberObservation last = seen.get(seen.size() - 1);
            assertThat(last.neverAnswered()).as("it answered before: down, not unknown").isFalse();
        } finally {
            link.close();
        }
    }

    @Test
    void theFirstPollWaitsLongerThanAPollDeadline() {
        // The first answer takes 1.5 s (a cold TLS handshake) against polls' 500 ms deadline: the first contact's
        // own deadline (4 s) lets it through instead of timing out again and again.
        List<MemberObservation> seen = new CopyOnWriteArrayList<>();
        answerDelayMs = 1500;
        MemberLink link = link(seen);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                link.tick(System.nanoTime());
                return !seen.isEmpty();
            });
            assertThat(seen.get(0).isReachable()).as("the first observation: " + seen.get(0)).isTrue();
        } finally {
            link.close();
        }
    }

    private MemberLink link(List<MemberObservation> seen) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        NodeClient nodes = NodeClient.create(Duration.ofMillis(500), Duration.ofMillis(500));
        return new MemberLink("ec-0", nodes.at(base), nodes.at(base).withTimeout(Duration.ofSeconds(4)),
                Duration.ofSeconds(12), seen::add);
    }
}
