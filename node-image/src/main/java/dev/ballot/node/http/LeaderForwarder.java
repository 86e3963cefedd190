package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/**
 * Sends a follower's request on to the leader and relays the answer, so clients may talk to any
 * member. A forwarded request carries {@link #FORWARDED_HEADER}; a node never forwards it again,
 * which keeps two nodes with stale views from bouncing a request between them.
 */
final class LeaderForwarder {
    static final String FORWARDED_HEADER = "Ballot-Forwarded-By";
    /** A client that prefers to follow redirects itself sends this header with any value. */
    static final String NO_FORWARD_HEADER = "Ballot-No-Forward";
    private static final List<String> RELAYED = List.of("Content-Type", "Ballot-Revision", "Location", "Allow");

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "ballot-forward");
                t.setDaemon(true);
                return t;
            }))
            .build();

    static boolean wasForwarded(HttpExchange ex) {
        return ex.getRequestHeaders().containsKey(FORWARDED_HEADER);
    }

    static boolean clientWantsRedirect(HttpExchange ex) {
        return ex.getRequestHeaders().containsKey(NO_FORWARD_HEADER);
    }

    /**
     * Relay the request to {@code leaderAddress}; false when the leader could not be reached. When
     * {@code leaderChanged} completes first (this node saw another leader, or none, take over) the forward is
     * abandoned with 503 {@code outcome_unknown}: a leader that froze instead of dying would otherwise hold the
     * client until its timeout although a new leader is already serving.
     */
    boolean forward(HttpExchange ex, String leaderAddress, byte[] body, String selfName, Duration timeout,
                    CompletableFuture<?> leaderChanged) throws IOException {
        URI target = URI.create("http://" + leaderAddress + ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        HttpRequest.Builder req = HttpRequest.newBuilder(target)
                .timeout(timeout)
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
                throw new ApiException(503, "outcome_unknown", null, "the leader at " + leaderAddress
                        + " was replaced while this request was forwarded to it; it may or may not have taken effect, retry");
            }
            resp = sent.join();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpConnectTimeoutException) {
                return false; // could not even connect: as unreachable as a refused connection
            }
            if (cause instanceof HttpTimeoutException) {
                throw new ApiException(504, "timeout", null, "the leader at " + leaderAddress
                        + " did not answer within " + timeout.toMillis() + " ms; retry");
            }
            return false;
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            return false;
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
        return true;
    }

    static Map<String, String> hint(String leaderName, String leaderAddress) {
        return leaderName == null ? Map.of() : Map.of("leader", leaderName, "leaderAddress", leaderAddress);
    }
}
