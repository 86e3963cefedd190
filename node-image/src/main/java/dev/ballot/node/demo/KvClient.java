package dev.ballot.node.demo;

import dev.ballot.nodeapi.Consistency;
import dev.ballot.nodeapi.KvValue;
import dev.ballot.nodeapi.NodeApiException;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A client that talks to every member and fails over fast, so what the demo measures is the cluster's
 * unavailability, not the client's: short timeouts; the next member on a refused connection, a timeout
 * (that member is then skipped for a while) or an error; a member answering 503 (no leader yet) is
 * asked again, since it forwards to the new leader as soon as one is elected.
 *
 * <p>Connecting is not held to the attempt's deadline. The JDK client counts the TCP connect and the TLS handshake
 * against both its connect timeout and the request's; on a loaded machine a handshake takes longer than a short
 * attempt (at load 30 on two cores we measured 10 ms to 1.6 s), and an attempt that times out closes its connection.
 * So once a failover had timed out one attempt on each member, every later attempt had to handshake anew and gave
 * up before the handshake ended: no write reached any member for as long as the load lasted (the
 * FrozenLeaderFailoverProcessTest ZAB failure in CI at load 17, docs/node-api.md). When an attempt finds no
 * connection in time, a {@link #WARM_UP_DEADLINE} request ({@code /healthz}) connects to that member in the
 * background; its connection stays in the client's pool and the next attempt uses it.
 */
public final class KvClient {
    private static final long SUSPECT_NANOS = 2_000_000_000L;
    /** 503s in a row (a few ms apart) before giving up on a member: longer than an election, so it is partitioned. */
    private static final int STAY_FOR_UNAVAILABLE = 100;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    /** How long a background connect (TCP and TLS handshake) to a member may take: the load, not the member, sets it. */
    static final Duration WARM_UP_DEADLINE = Duration.ofSeconds(5);
    private final List<NodeEndpoint> members;
    private final AtomicInteger preferred = new AtomicInteger();
    /** Per member, until when (nanoTime) it is skipped: it let a request time out, so it may be hung. */
    private final AtomicLongArray suspectUntil;
    private final AtomicIntegerArray unavailableAnswers;
    /** Per member, the background connect under way (at most one each), or null. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<CompletableFuture<?>> connecting;
    private final Duration requestTimeout;

    public KvClient(List<String> addresses, Duration requestTimeout) {
        this(addresses, requestTimeout, null);
    }

    /** @param tls the application's certificate and the cluster's CA (HTTPS), or null for plain HTTP */
    public KvClient(List<String> addresses, Duration requestTimeout, javax.net.ssl.SSLContext tls) {
        // The connect timeout bounds only the background connects: an attempt's own deadline is shorter.
        NodeClient client = NodeClient.create(WARM_UP_DEADLINE, requestTimeout, Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-client");
            t.setDaemon(true);
            return t;
        }), tls);
        this.members = addresses.stream().map(client::at).toList();
        this.suspectUntil = new AtomicLongArray(members.size());
        this.unavailableAnswers = new AtomicIntegerArray(members.size());
        this.connecting = new java.util.concurrent.atomic.AtomicReferenceArray<>(members.size());
        this.requestTimeout = requestTimeout;
    }

    /** One PUT attempt at the currently preferred member; true when acknowledged (committed). */
    public boolean tryPut(String key, String value) {
        return "200".equals(attemptPut(key, value));
    }

    /**
     * One PUT attempt; the outcome: the status code, or the failure's kind ({@code timeout}: no answer in time,
     * {@code connect-timeout}: no connection in time, {@code connecting}: a background connect to the member is still
     * under way, {@code refused}, {@code io}). Anything but 200 moves on to the next member, except a 503 from a
     * member that has not answered 503 {@link #STAY_FOR_UNAVAILABLE} times in a row.
     */
    public String attemptPut(String key, String value) {
        int at = preferredResponsive();
        int member = Math.floorMod(at, members.size());
        String outcome;
        try {
            if (!connected(member)) {
                preferred.compareAndSet(at, at + 1);
                return "connecting";
            }
            members.get(member).put(key, value);
            unavailableAnswers.set(member, 0);
            return "200";
        } catch (NodeApiException e) {
            outcome = Integer.toString(e.status());
            if (e.status() == 503 && unavailableAnswers.incrementAndGet(member) < STAY_FOR_UNAVAILABLE) {
                // A live member that knows no leader yet forwards to the new one once elected; moving on
                // could land on a hung old leader and cost a whole request timeout.
                return outcome;
            }
            unavailableAnswers.set(member, 0);
        } catch (java.net.http.HttpConnectTimeoutException e) {
            // No connection within the deadline (TCP and, with TLS, the handshake): the member never saw the request.
            outcome = "connect-timeout";
            suspectUntil.set(member, System.nanoTime() + SUSPECT_NANOS);
            connectInBackground(member);
        } catch (java.net.http.HttpTimeoutException e) {
            outcome = "timeout";
            suspectUntil.set(member, System.nanoTime() + SUSPECT_NANOS);
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

    /**
     * Connects to {@code member} in the background with {@link #WARM_UP_DEADLINE}; once it answers, its connection is
     * pooled and it is no longer skipped. A hung member's connect times out and leaves it skipped.
     */
    private void connectInBackground(int member) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!connecting.compareAndSet(member, null, done)) {
            return;
        }
        members.get(member).withTimeout(WARM_UP_DEADLINE).healthzAsync().whenComplete((probe, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause == null || cause instanceof NodeApiException) {
                suspectUntil.set(member, System.nanoTime()); // it answered: connected, and the connection is pooled
            }
            connecting.set(member, null);
            done.complete(null);
        });
    }

    /**
     * False when a background connect to {@code member} is still under way after waiting for it up to the attempt's
     * deadline: a connection of our own would only be abandoned mid-handshake again, costing both sides the CPU the
     * handshake needs.
     */
    private boolean connected(int member) throws InterruptedException {
        CompletableFuture<?> pending = connecting.get(member);
        if (pending == null) {
            return true;
        }
        try {
            pending.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true; // never completed exceptionally; the put finds out for itself
        }
    }

    /**
     * The preferred member, or the next one that has not recently timed out: a hung (not dead) member
     * would otherwise cost every writer a full request timeout each time the rotation comes back to it.
     */
    private int preferredResponsive() {
        int at = preferred.get();
        long now = System.nanoTime();
        for (int i = 0; i < members.size(); i++) {
            if (suspectUntil.get(Math.floorMod(at + i, members.size())) - now <= 0) {
                if (i > 0) {
                    preferred.compareAndSet(at, at + i);
                }
                return at + i;
            }
        }
        return at;
    }

    /** A linearizable read with retries across members until {@code deadline}; empty when absent (404). */
    public Optional<String> get(String key, long deadlineNanos) throws IOException {
        return read(key, Consistency.LINEARIZABLE, deadlineNanos);
    }

    /** A serializable read of the member's own state, with retries until {@code deadline}. */
    public Optional<String> getSerializable(String key, long deadlineNanos) throws IOException {
        return read(key, Consistency.SERIALIZABLE, deadlineNanos);
    }

    private Optional<String> read(String key, Consistency consistency, long deadlineNanos) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadlineNanos) {
            int at = preferred.get();
            NodeEndpoint member = members.get(Math.floorMod(at, members.size()));
            try {
                return member.withTimeout(READ_TIMEOUT).get(key, consistency).map(KvValue::text);
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
}
