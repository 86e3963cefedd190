package dev.ballot.nodeapi;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The one HTTP client for the node API. Build one per program (it pools connections and threads) and
 * address each node with {@link #at}. Redirects are not followed: nodes forward to their leader themselves
 * and answer 307 only to a client that asked for it ({@link NodePaths#NO_FORWARD_HEADER}).
 */
public final class NodeClient {
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String scheme;

    private NodeClient(HttpClient http, Duration requestTimeout, String scheme) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.scheme = scheme;
    }

    /**
     * @param connectTimeout how long to wait for a TCP connection before the call fails with
     *                       {@link java.net.http.HttpConnectTimeoutException}
     * @param requestTimeout the default deadline of a whole call ({@link NodeEndpoint#withTimeout} changes it)
     */
    public static NodeClient create(Duration connectTimeout, Duration requestTimeout) {
        return create(connectTimeout, requestTimeout, null);
    }

    /** @param executor runs the client's callbacks; null for the JDK's default */
    public static NodeClient create(Duration connectTimeout, Duration requestTimeout, Executor executor) {
        return create(connectTimeout, requestTimeout, executor, null);
    }

    /**
     * A client of nodes that serve their API over TLS (docs/node-api.md, TLS): {@code tls} presents this party's
     * certificate (the operator's, a member's or an application's) and trusts the cluster's CA, e.g.
     * {@link dev.ballot.nodeapi.tls.ReloadingTls#context()}. Null: plain HTTP.
     */
    public static NodeClient create(Duration connectTimeout, Duration requestTimeout, Executor executor,
                                    javax.net.ssl.SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (executor != null) {
            b.executor(executor);
        }
        if (tls != null) {
            b.sslContext(tls);
        }
        return new NodeClient(b.build(), requestTimeout, tls == null ? "http" : "https");
    }

    /** The node whose client port is at {@code hostPort} ({@code host:port}). */
    public NodeEndpoint at(String hostPort) {
        return at(URI.create(scheme + "://" + hostPort));
    }

    /** {@code http} or {@code https}: how {@link #at(String)} addresses a node. */
    public String scheme() {
        return scheme;
    }

    /** The node at {@code base} ({@code http://host:port}, optionally with a path prefix). */
    public NodeEndpoint at(URI base) {
        return new NodeEndpoint(http, base, requestTimeout);
    }

    /** The underlying client, for requests outside the node API (e.g. relaying one verbatim). */
    public HttpClient http() {
        return http;
    }
}
