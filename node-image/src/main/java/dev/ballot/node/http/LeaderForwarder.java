package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodePaths;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/**
 * Sends a follower's request on to the leader and relays the answer, so clients may talk to any
 * member. A forwarded request carries {@link #FORWARDED_HEADER}; a node never forwards it again,
 * which keeps two nodes with stale views from bouncing a request between them.
 *
 * <p>Every failure says exactly what the client may assume (docs/node-api.md, Errors):
 * <ul>
 *   <li>the request never left this node (refused or timed-out connect, or the leader is known to be
 *       unreachable): 503 {@code leader_unreachable}, not applied;</li>
 *   <li>it was sent (even in part) and no answer came: a write's outcome is unknown (503
 *       {@code outcome_unknown}, 504 {@code timeout}); a read changed nothing (503 {@code read_failed}).</li>
 * </ul>
 * A forward that could not reach the leader marks it unreachable ({@link LeaderReachability}) until a
 * probe gets through, so that later requests fail at once instead of each waiting out a dead link.
 */
final class LeaderForwarder {
    static final String FORWARDED_HEADER = NodePaths.FORWARDED_BY_HEADER;
    /** A client that prefers to follow redirects itself sends this header with any value. */
    static final String NO_FORWARD_HEADER = NodePaths.NO_FORWARD_HEADER;
    /**
     * How long a forwarded key-value request may take end to end. Well under a client's timeout (2 s or more,
     * docs/node-api.md), so the client hears this node's verdict and can move on instead of timing out itself.
     */
    static final Duration KV_FORWARD_DEADLINE = Duration.ofMillis(1500);
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    private static final List<String> RELAYED = List.of("Content-Type", NodePaths.REVISION_HEADER, "Location", "Allow",
            NodePaths.SNAPSHOT_INDEX_HEADER, NodePaths.SNAPSHOT_TERM_HEADER, NodePaths.SNAPSHOT_SHA256_HEADER,
            NodePaths.SNAPSHOT_PROTOCOL_HEADER, NodePaths.SNAPSHOT_MACHINE_HEADER, NodePaths.SNAPSHOT_MEMBER_HEADER);

    /**
     * The HTTP client's own work (connecting, reading answers, completing futures): never blocks, so a few threads
     * serve every forward in flight (the request thread that forwards waits on the future, not here).
     */
    private final ExecutorService threads = BoundedThreads.create("ballot-forward", 4, HttpApi.IDLE_MILLIS);
    /** The node API's one client (HTTP/1.1, no redirects), used raw: a forward relays the request verbatim. */
    private final NodeClient nodeClient;
    private final HttpClient client;
    private final LeaderReachability reachability;

    LeaderForwarder() {
        this(null);
    }

    /** @param tls this member's own certificate and the cluster's CA (docs/node-api.md, TLS); null: plain HTTP */
    LeaderForwarder(javax.net.ssl.SSLContext tls) {
        this.nodeClient = NodeClient.create(CONNECT_TIMEOUT, KV_FORWARD_DEADLINE, threads, tls);
        this.client = nodeClient.http();
        this.reachability = new LeaderReachability(client);
        reachability.scheme = nodeClient.scheme();
    }

    /** {@code http} or {@code https}: how members' client addresses are spoken to. */
    String scheme() {
        return nodeClient.scheme();
    }

    static boolean wasForwarded(HttpExchange ex) {
        return ex.getRequestHeaders().containsKey(FORWARDED_HEADER);
    }

    static boolean clientWantsRedirect(HttpExchange ex) {
        return ex.getRequestHeaders().containsKey(NO_FORWARD_HEADER);
    }

    /** A GET or HEAD changes nothing: its failures are never "outcome unknown". */
    static boolean isRead(HttpExchange ex) {
        return ex.getRequestMethod().equals("GET") || ex.getRequestMethod().equals("HEAD");
    }

    LeaderReachability reachability() {
        return reachability;
    }

    /**
     * Relay the request to the leader {@code leaderName} at {@code leaderAddress}, or throw an {@link ApiException}
     * that says what happened to it. When {@code leaderChanged} completes first (this node saw another leader, or
     * none, take over) the forward is abandoned at once: a leader that froze instead of dying would otherwise hold
     * the client until its deadline although a new leader is already serving.
     */
    void forward(HttpExchange ex, String leaderName, String leaderAddress, byte[] body, String selfName,
                 Duration deadline, CompletableFuture<?> leaderChanged) throws IOException {
        boolean read = isRead(ex);
        if (!reachability.reachable(leaderAddress)) {
            throw notSent(leaderName, leaderAddress, "this node could not reach it "
                    + reachability.unreachableForMs(leaderAddress) + " ms ago and has not since (a one-way partition, "
                    + "or it is down); the request was not forwarded");
        }
        URI target = URI.create(scheme() + "://" + leaderAddress + ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .timeout(deadline)
                .header(FORWARDED_HEADER, selfName)
                .method(ex.getRequestMethod(), body == null || body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            req.header("Content-Type", contentType);
        }
        CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> resp;
        try {
            CompletableFuture.anyOf(sent, leaderChanged).get();
            if (!sent.isDone()) {
                sent.cancel(true);
                throw afterSend(read, 503, "the leader " + leaderName + " at " + leaderAddress
                        + " was replaced while this request was forwarded to it");
            }
            resp = sent.join();
        } catch (ExecutionException | CompletionException e) {
            throw classify(e.getCause(), read, leaderName, leaderAddress, deadline);
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            throw afterSend(read, 503, "this node stopped while it waited for the leader's answer");
        }
        for (String h : RELAYED) {
            resp.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
        }
        byte[] bytes = resp.body();
        ex.sendResponseHeaders(resp.statusCode(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    /**
     * What a failed forward means. Only a failure to connect proves the leader never saw the request; anything
     * later (a reset, an end of stream, no answer in time) may come after the leader received and committed it.
     */
    ApiException classify(Throwable cause, boolean read, String leaderName, String leaderAddress, Duration deadline) {
        if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException
                || cause instanceof IOException && cause.getCause() instanceof ConnectException) {
            reachability.suspect(leaderAddress);
            return notSent(leaderName, leaderAddress, "the connection to it failed (" + cause
                    + "); the request was not sent");
        }
        if (cause instanceof HttpTimeoutException) {
            reachability.suspect(leaderAddress);
            return afterSend(read, 504, "the leader " + leaderName + " at " + leaderAddress + " did not answer within "
                    + deadline.toMillis() + " ms");
        }
        return afterSend(read, 503, "the connection to the leader " + leaderName + " at " + leaderAddress
                + " failed after the request was sent (" + cause + ")");
    }

    static ApiException notSent(String leaderName, String leaderAddress, String why) {
        return new ApiException(503, "leader_unreachable", null, "the leader " + leaderName + " at " + leaderAddress
                + " cannot be reached: " + why + ". Not applied: retry on another member, or here shortly");
    }

    /** A request the leader may have received: a write's outcome is unknown; a read changed nothing. */
    static ApiException afterSend(boolean read, int status, String what) {
        if (read) {
            return new ApiException(status, status == 504 ? "read_timeout" : "read_failed", null,
                    what + "; a read changes nothing: retry it, here or on another member");
        }
        return new ApiException(status, status == 504 ? "timeout" : "outcome_unknown", null,
                what + "; it may or may not have taken effect: retry idempotently, or read to find out");
    }
}
