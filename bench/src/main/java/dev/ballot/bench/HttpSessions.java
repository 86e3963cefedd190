package dev.ballot.bench;

import dev.ballot.nodeapi.NodeClient;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one HTTP/1.1 client Ballot and etcd sessions share, so both are measured through the same stack:
 * Ballot's sessions call the node API through {@link #NODES}, etcd's gateway is called through its
 * underlying client ({@link #send}). With {@code --tls} each system gets the same stack over HTTPS ({@link #tls}).
 */
final class HttpSessions {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "bench-http");
        t.setDaemon(true);
        return t;
    });
    /** Every bench call passes its own deadline; the default one is only a backstop. */
    static final NodeClient NODES = NodeClient.create(Duration.ofMillis(200), Duration.ofSeconds(10), POOL);

    private HttpSessions() {
    }

    static HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return send(NODES, request);
    }

    static HttpResponse<byte[]> send(NodeClient client, HttpRequest request) throws IOException, InterruptedException {
        return client.http().send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The same client stack over HTTPS ({@code --tls}), presenting the certificate in {@code certDir} (cert-manager's
     * layout) and trusting its {@code ca.crt}: one per system, as each has its own CA.
     */
    static NodeClient tls(javax.net.ssl.SSLContext context) {
        return NodeClient.create(Duration.ofMillis(200), Duration.ofSeconds(10), POOL, context);
    }

    static IOException refused(String what, HttpResponse<byte[]> r) {
        String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
        return new IOException(what + " answered " + r.statusCode() + ": "
                + (body.length() > 200 ? body.substring(0, 200) : body));
    }
}
