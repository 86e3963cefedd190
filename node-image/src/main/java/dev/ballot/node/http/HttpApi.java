package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ballot.node.config.ClientLimits;
import dev.ballot.node.metrics.NodeMetrics;
import dev.ballot.node.server.RequestFailure;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.nodeapi.ApiError;
import dev.ballot.nodeapi.NodePaths;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The node's one HTTP port (client, admin, status, health, metrics) on the JDK's built-in server.
 * Handlers block while the driver works or a forward waits, so they run on {@link #WORKERS} threads at most
 * ({@link BoundedThreads}: more requests in flight wait in its queue; idle threads end). A status event stream
 * holds its thread for as long as it listens, so each runs on a thread of its own outside that bound (the
 * subscriber cap, {@code max_event_subscribers}, bounds those): streams can never starve the other requests.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(HttpApi.class.getName());

    static {
        // The JDK server leaves Nagle on: a response written in two parts then waits ~40 ms for a
        // delayed ACK, which a forwarded write pays twice. Must be set before the first server exists.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final NodeInfo info;
    private final NodeMetrics metrics;
    private final HttpServer server;
    /** Request threads at most: 64 clients' writes in flight at once, and room for forwards to a frozen leader. */
    static final int WORKERS = 64;
    static final long IDLE_MILLIS = 5_000;

    private final ExecutorService executor;
    /** Status event streams, one thread each while it lasts (their count is capped by {@link StatusRoutes}). */
    private final ExecutorService streams;
    private final KvRoutes kv;
    private final AdminRoutes admin;
    private final StatusRoutes status;
    private final RouteSupport routing;
    private final ApiAccess access;
    /** The plain-HTTP metrics port; null unless {@link #metricsListener} was called. */
    private MetricsListener metricsListener;

    public HttpApi(NodeInfo info, NodeMetrics metrics, InetSocketAddress bind) throws IOException {
        this(info, metrics, bind, ClientLimits.defaults());
    }

    public HttpApi(NodeInfo info, NodeMetrics metrics, InetSocketAddress bind, ClientLimits limits) throws IOException {
        this(info, metrics, bind, limits, null);
    }

    /** @param tls serve HTTPS with this node's certificate and check callers' identities; null: plain HTTP */
    public HttpApi(NodeInfo info, NodeMetrics metrics, InetSocketAddress bind, ClientLimits limits, NodeTls tls)
            throws IOException {
        serverLimits(limits);
        this.info = info;
        this.metrics = metrics;
        LeaderForwarder forwarder = new LeaderForwarder(tls == null ? null : tls.files().context());
        this.access = new ApiAccess(tls, info);
        this.kv = new KvRoutes(info, forwarder);
        this.admin = new AdminRoutes(info, forwarder);
        this.status = new StatusRoutes(info, forwarder.reachability());
        this.routing = new RouteSupport(info, forwarder) { };
        kv.limits = limits;
        admin.limits = limits;
        routing.limits = limits;
        status.maxSubscribers(limits.maxEventSubscribers());
        this.server = tls == null ? HttpServer.create(bind, 512) : HttpsServers.create(bind, 512, tls);
        this.executor = BoundedThreads.create("ballot-http", WORKERS, IDLE_MILLIS);
        this.streams = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ballot-http-events");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
    }

    /**
     * The JDK server reads its connection cap and request deadline from system properties once, when its first server
     * is made: one node per JVM, so this node's limits, unless the operator set the properties with -D.
     * {@code maxReqTime} closes a connection whose request (headers and body) takes longer (slowloris); at
     * {@code maxConnections} it closes new connections on accept. No response deadline: event streams are long.
     */
    private static void serverLimits(ClientLimits limits) {
        System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", Integer.toString(limits.maxClientConnections()));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime",
                Long.toString(Math.max(1, limits.requestReadTimeout().toSeconds())));
    }

    /** Adds {@code fields} to every {@code /v1/status} body and status event. */
    public HttpApi statusFields(java.util.function.Supplier<Map<String, Object>> fields) {
        status.extraFields(fields);
        return this;
    }

    /** Offers {@code POST /v1/admin/force-new-cluster} (quorum-loss recovery), carried out by {@code handler}. */
    public HttpApi recovery(RecoveryHandler handler) {
        admin.recovery = handler;
        return this;
    }

    /**
     * Also serves {@code GET /metrics} in plain HTTP on {@code bind} ({@code metrics_address}), whatever this API's TLS;
     * started and closed with this API.
     */
    public HttpApi metricsListener(InetSocketAddress bind) throws IOException {
        if (metricsListener != null) {
            throw new IllegalStateException("the metrics listener is already set");
        }
        metricsListener = new MetricsListener(bind, this::serveMetrics);
        return this;
    }

    public HttpApi start() {
        if (metricsListener != null) {
            metricsListener.start();
        }
        server.start();
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        if (metricsListener != null) {
            metricsListener.close();
        }
        // Interrupt the handlers and event streams first, so that one blocked writing to a client that does not read
        // gives up (an interrupted channel write does) before the server's stop, which closes every connection (a
        // TLS close_notify each) and then joins its dispatcher with no deadline. NodeProcess bounds this step anyway.
        streams.shutdownNow();
        executor.shutdownNow();
        server.stop(0);
    }

    private void dispatch(HttpExchange ex) {
        if (ex.getRequestURI().getPath().equals(NodePaths.STATUS_EVENTS)) {
            streams.execute(() -> serve(ex)); // a long stream must not hold one of the bounded request threads
            return;
        }
        serve(ex);
    }

    private void serve(HttpExchange ex) {
        try {
            route(ex);
        } catch (ApiException e) {
            answerError(ex, e.status(), e.error());
        } catch (RequestFailure e) {
            answerFailure(ex, e);
        } catch (IOException e) {
            // The client went away mid-answer.
            ex.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + ex.getRequestMethod() + " " + ex.getRequestURI() + " failed", e);
            answerError(ex, 500, "internal", "the node failed to serve the request: " + e, null);
        } finally {
            RouteSupport.forget(ex);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        access.check(ex);
        String path = ex.getRequestURI().getPath();
        if (path.startsWith(NodePaths.KV_PREFIX)) {
            kv.handle(ex);
        } else if (path.equals(NodePaths.STATUS)) {
            status.status(ex);
        } else if (path.equals(NodePaths.STATUS_EVENTS)) {
            status.events(ex);
        } else if (path.startsWith(NodePaths.ADMIN_PREFIX)) {
            admin.handle(ex);
        } else if (path.equals(NodePaths.HEALTHZ)) {
            status.healthz(ex);
        } else if (path.equals(NodePaths.READYZ)) {
            status.readyz(ex);
        } else if (path.equals(NodePaths.METRICS)) {
            serveMetrics(ex);
        } else {
            throw new ApiException(404, "not_found", "path", "no endpoint at " + path
                    + "; see docs/node-api.md (/v1/kv/{key}, /v1/status, /v1/admin/..., /healthz, /readyz, /metrics)");
        }
    }

    /** {@code GET /metrics}, here and on the {@link MetricsListener}: one handler, one registry, the same text. */
    private void serveMetrics(HttpExchange ex) throws IOException {
        Exchanges.requireMethod(ex, "GET");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.scrape(out);
        Exchanges.send(ex, 200, metrics.contentType(), out.toByteArray());
    }

    private void answerFailure(HttpExchange ex, RequestFailure f) {
        switch (f.reason()) {
            case NOT_LEADER -> {
                try {
                    // The view was stale when the request started: route it now.
                    routing.sendToLeader(ex, f.leaderHint());
                } catch (ApiException e) {
                    answerError(ex, e.status(), e.error());
                } catch (IOException e) {
                    ex.close();
                }
            }
            case BUSY -> answerError(ex, 503, "busy", f.getMessage(), null);
            case OUTCOME_UNKNOWN -> {
                ApiException e = LeaderForwarder.afterSend(LeaderForwarder.isRead(ex), 503, f.getMessage());
                answerError(ex, e.status(), e.error());
            }
            case STOPPED -> answerError(ex, 503, "stopping", f.getMessage() + "; retry on another member", null);
        }
    }

    private void answerError(HttpExchange ex, int code, String error, String message, String field) {
        answerError(ex, code, Exchanges.error(error, message, field));
    }

    private void answerError(HttpExchange ex, int code, ApiError error) {
        if (ex.getResponseCode() != -1) {
            ex.close(); // headers already sent: nothing more can be said
            return;
        }
        try {
            ApiError body = error;
            long leader = info.runtime().status().leaderId();
            if (leader != 0 && leader != info.runtime().id()) {
                body = routing.withLeader(body, leader);
            }
            Exchanges.sendJson(ex, code, body);
        } catch (IOException e) {
            ex.close();
        }
    }
}
