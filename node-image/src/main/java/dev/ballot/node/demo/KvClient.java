package dev.ballot.node.demo;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that talks to every member and fails over fast: short timeouts, and on any failure the
 * next member, so what the demo measures is the cluster's unavailability, not the client's.
 */
public final class KvClient {
    private final List<String> addresses;
    private final Duration requestTimeout;
    private final AtomicInteger preferred = new AtomicInteger();
    private final HttpClient http;

    public KvClient(List<String> addresses, Duration requestTimeout) {
        this.addresses = List.copyOf(addresses);
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofMillis(100))
                .executor(Executors.newCachedThreadPool(r -> {
                    Thread t = new Thread(r, "demo-client");
                    t.setDaemon(true);
                    return t;
                }))
                .build();
    }

    /** One PUT attempt at the currently preferred member; true when acknowledged (committed). */
    public boolean tryPut(String key, String value) {
        return "200".equals(attemptPut(key, value));
    }

    /**
     * One PUT attempt; the outcome: the status code, or the failure's kind ({@code timeout},
     * {@code refused}, {@code io}). Anything but 200 moves on to the next member.
     */
    public String attemptPut(String key, String value) {
        int at = preferred.get();
        String address = addresses.get(Math.floorMod(at, addresses.size()));
        String outcome;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address + "/v1/kv/" + encode(key)))
                    .timeout(requestTimeout).PUT(HttpRequest.BodyPublishers.ofString(value)).build();
            HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 200) {
                return "200";
            }
            outcome = Integer.toString(r.statusCode());
        } catch (java.net.http.HttpTimeoutException e) {
            outcome = "timeout";
        } catch (java.net.ConnectException e) {
            outcome = "refused";
        } catch (IOException e) {
            outcome = "io";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        preferred.compareAndSet(at, at + 1);
        return outcome;
    }

    /** A linearizable read with retries across members until {@code deadline}; empty when absent (404). */
    public Optional<String> get(String key, long deadlineNanos) throws IOException {
        return read(key, "", deadlineNanos);
    }

    /** A serializable read of the member's own state, with retries until {@code deadline}. */
    public Optional<String> getSerializable(String key, long deadlineNanos) throws IOException {
        return read(key, "?consistency=serializable", deadlineNanos);
    }

    private Optional<String> read(String key, String query, long deadlineNanos) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadlineNanos) {
            int at = preferred.get();
            String address = addresses.get(Math.floorMod(at, addresses.size()));
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address + "/v1/kv/" + encode(key) + query))
                        .timeout(Duration.ofSeconds(2)).GET().build();
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 200) {
                    return Optional.of(r.body());
                }
                if (r.statusCode() == 404) {
                    return Optional.empty();
                }
                last = new IOException(address + " answered " + r.statusCode() + ": " + r.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            preferred.compareAndSet(at, at + 1);
        }
        throw new IOException("no member answered a read of " + key + " in time", last);
    }

    private static String encode(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
