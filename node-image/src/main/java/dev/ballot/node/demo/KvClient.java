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
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A client that talks to every member and fails over fast, so what the demo measures is the cluster's
 * unavailability, not the client's: short timeouts; the next member on a refused connection, a timeout
 * (that member is then skipped for a while) or an error; a member answering 503 (no leader yet) is
 * asked again, since it forwards to the new leader as soon as one is elected.
 */
public final class KvClient {
    private static final long SUSPECT_NANOS = 2_000_000_000L;
    /** 503s in a row (a few ms apart) before giving up on a member: longer than an election, so it is partitioned. */
    private static final int STAY_FOR_UNAVAILABLE = 100;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);
    private final List<NodeEndpoint> members;
    private final AtomicInteger preferred = new AtomicInteger();
    /** Per member, until when (nanoTime) it is skipped: it let a request time out, so it may be hung. */
    private final AtomicLongArray suspectUntil;
    private final AtomicIntegerArray unavailableAnswers;

    public KvClient(List<String> addresses, Duration requestTimeout) {
        this(addresses, requestTimeout, null);
    }

    /** @param tls the application's certificate and the cluster's CA (HTTPS), or null for plain HTTP */
    public KvClient(List<String> addresses, Duration requestTimeout, javax.net.ssl.SSLContext tls) {
        NodeClient client = NodeClient.create(Duration.ofMillis(100), requestTimeout, Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "demo-client");
            t.setDaemon(true);
            return t;
        }), tls);
        this.members = addresses.stream().map(client::at).toList();
        this.suspectUntil = new AtomicLongArray(members.size());
        this.unavailableAnswers = new AtomicIntegerArray(members.size());
    }

    /** One PUT attempt at the currently preferred member; true when acknowledged (committed). */
    public boolean tryPut(String key, String value) {
        return "200".equals(attemptPut(key, value));
    }

    /**
     * One PUT attempt; the outcome: the status code, or the failure's kind ({@code timeout},
     * {@code refused}, {@code io}). Anything but 200 moves on to the next member, except a 503 from a member
     * that has not answered 503 {@link #STAY_FOR_UNAVAILABLE} times in a row.
     */
    public String attemptPut(String key, String value) {
        int at = preferredResponsive();
        int member = Math.floorMod(at, members.size());
        String outcome;
        try {
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
