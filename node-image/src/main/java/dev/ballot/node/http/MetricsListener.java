package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ballot.nodeapi.NodePaths;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The plain-HTTP metrics port ({@code metrics_address}, {@code BALLOT_METRICS_ADDRESS}): {@code GET /metrics} from
 * the same handler as the HTTP API's {@code /metrics}, 404 for every other path, and never TLS, so that Prometheus
 * scrapes every member alike whatever the cluster's TLS (etcd's {@code --listen-metrics-urls}). Nothing here reads or
 * changes keys or membership: the metrics are what the HTTP API already shows anyone without a certificate.
 */
public final class MetricsListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MetricsListener.class.getName());
    /** Scrapes are small and seconds apart: two threads, idle ones ending. */
    static final int WORKERS = 2;

    /** What answers {@code /metrics}: the HTTP API's own handler. */
    @FunctionalInterface
    public interface Page {
        void serve(HttpExchange ex) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;

    public MetricsListener(InetSocketAddress bind, Page metrics) throws IOException {
        this.server = HttpServer.create(bind, 64);
        this.executor = BoundedThreads.create("ballot-metrics", WORKERS, HttpApi.IDLE_MILLIS);
        server.setExecutor(executor);
        server.createContext("/", ex -> serve(ex, metrics));
    }

    private static void serve(HttpExchange ex, Page metrics) {
        try {
            String path = ex.getRequestURI().getPath();
            if (!path.equals(NodePaths.METRICS)) {
                throw new ApiException(404, "not_found", "path", "no endpoint at " + path
                        + "; this is the metrics port, it serves GET /metrics only (the API is on the HTTP port)");
            }
            metrics.serve(ex);
        } catch (ApiException e) {
            try {
                Exchanges.sendJson(ex, e.status(), e.error());
            } catch (IOException gone) {
                ex.close();
            }
        } catch (IOException e) {
            ex.close(); // the scraper went away mid-answer
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "metrics request " + ex.getRequestURI() + " failed", e);
            ex.close();
        }
    }

    public MetricsListener start() {
        server.start();
        return this;
    }

    @Override
    public void close() {
        executor.shutdownNow(); // first, as HttpApi.close does: a blocked scrape answer must not hold the stop
        server.stop(0);
    }
}
