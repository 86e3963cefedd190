package dev.ballot.node.http;

import dev.ballot.nodeapi.NodePaths;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether this node can reach the leader's client port, as its forwards found it. A node may hear its leader
 * (the leader dials it) yet be unable to reach it (a one-way partition); forwarding into that link would make
 * every client wait out a deadline. After a forward fails to connect or gets no answer, a probe
 * ({@code GET /healthz}, {@link #PROBE_TIMEOUT}) decides: if it fails too the leader is marked unreachable, forwards
 * to it are refused at once (503 {@code leader_unreachable}, not applied) and {@code /v1/status} says
 * {@code leaderReachable: false}; probes repeat every {@link #PROBE_EVERY} until one gets through.
 */
final class LeaderReachability {
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(400);
    static final Duration PROBE_EVERY = Duration.ofMillis(250);

    /** Probing stops for an address nobody asked about for this long (it no longer leads). */
    static final Duration FORGET_AFTER = Duration.ofSeconds(10);

    private final HttpClient client;
    /** {@code http}, or {@code https} when the cluster serves its API over TLS. */
    volatile String scheme = "http";
    /** Addresses found unreachable, with since when (nanoTime). */
    private final ConcurrentHashMap<String, Long> unreachableSince = new ConcurrentHashMap<>();
    /** Addresses being probed, with when they were last asked about (nanoTime). */
    private final ConcurrentHashMap<String, Long> probing = new ConcurrentHashMap<>();

    LeaderReachability(HttpClient client) {
        this.client = client;
    }

    boolean reachable(String address) {
        probing.computeIfPresent(address, (a, t) -> System.nanoTime());
        return !unreachableSince.containsKey(address);
    }

    /** Milliseconds since {@code address} was found unreachable (0 when it is not). */
    long unreachableForMs(String address) {
        Long since = unreachableSince.get(address);
        return since == null ? 0 : (System.nanoTime() - since) / 1_000_000;
    }

    /** Null when no leader (or this node leads), else whether its forwards get through. */
    Boolean reachableOrNull(String leaderAddress) {
        return leaderAddress == null ? null : reachable(leaderAddress);
    }

    /** A forward to {@code address} failed: probe it (in the background) and mark it while probes fail. */
    void suspect(String address) {
        if (probing.putIfAbsent(address, System.nanoTime()) != null) {
            return;
        }
        Thread t = new Thread(() -> probeUntilReachable(address), "ballot-leader-probe");
        t.setDaemon(true);
        t.start();
    }

    private void probeUntilReachable(String address) {
        try {
            while (!probe(address)) {
                unreachableSince.putIfAbsent(address, System.nanoTime());
                Long asked = probing.get(address);
                if (asked == null || System.nanoTime() - asked > FORGET_AFTER.toNanos()) {
                    return; // no longer the leader anyone forwards to; a new suspicion starts over
                }
                Thread.sleep(PROBE_EVERY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unreachableSince.remove(address);
            probing.remove(address);
        }
    }

    private boolean probe(String address) throws InterruptedException {
        try {
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(scheme + "://" + address + NodePaths.HEALTHZ))
                    .timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
