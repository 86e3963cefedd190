package dev.ballot.operator.members;

import dev.ballot.nodeapi.NodeApiException;
import dev.ballot.nodeapi.NodeEndpoint;
import dev.ballot.nodeapi.StatusReport;
import dev.ballot.nodeapi.StatusSubscription;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The operator's line to one member: a subscription to its status events ({@code /v1/status/events}), with polling
 * of {@code /v1/status} whenever the stream is not live, both through the node API's client. Never throws to its
 * caller; failures become unreachable observations. Driven by {@link #tick(long)} from one scheduler thread;
 * callbacks arrive on the HTTP client's threads.
 */
final class MemberLink {
    private final String name;
    private final NodeEndpoint node;
    private final NodeEndpoint firstContact;
    private final Duration staleAfter;
    private final Consumer<MemberObservation> sink;

    private volatile boolean closed;
    private volatile boolean streamLive;
    private volatile long lastStreamEventNanos;
    private volatile long nextStreamAttemptNanos;
    private volatile long streamBackoffNanos = Duration.ofMillis(500).toNanos();
    private volatile StatusSubscription stream;
    private volatile boolean pollInFlight;
    /** A stream is open (connecting or streaming); cleared when it ends for any reason. */
    private volatile boolean streamActive;
    /** The member has answered this link at least once (a status event or a poll). */
    private volatile boolean answered;

    /**
     * @param node         the member's endpoint, with the per-call deadline of a poll
     * @param firstContact the same endpoint with the deadline of polls until the member first answers: a new
     *                     connection's TLS handshake on a freshly started operator can outlast a poll's deadline, and
     *                     a poll cut short wastes the handshake it paid for
     */
    MemberLink(String name, NodeEndpoint node, NodeEndpoint firstContact, Duration staleAfter,
               Consumer<MemberObservation> sink) {
        this.name = name;
        this.node = node;
        this.firstContact = firstContact;
        this.staleAfter = staleAfter;
        this.sink = sink;
    }

    URI base() {
        return node.base();
    }

    /** One scheduler step: (re)open the stream when due, drop a silent stream, poll while no stream is live. */
    void tick(long nowNanos) {
        if (closed) {
            return;
        }
        if (streamLive && nowNanos - lastStreamEventNanos > staleAfter.toNanos()) {
            cancelStream();
        }
        if (!streamActive && nowNanos >= nextStreamAttemptNanos) {
            openStream(nowNanos);
        }
        if (!streamLive) {
            poll();
        }
    }

    void close() {
        closed = true;
        cancelStream();
    }

    private void openStream(long nowNanos) {
        nextStreamAttemptNanos = nowNanos + streamBackoffNanos;
        streamBackoffNanos = Math.min(streamBackoffNanos * 2, Duration.ofSeconds(10).toNanos());
        streamActive = true;
        StatusSubscription s;
        try {
            s = node.subscribeStatus(this::onStreamStatus);
        } catch (RuntimeException e) {
            streamEnded();
            return;
        }
        stream = s;
        // Ends normally when the node or this link ends it, exceptionally when it broke or carried a malformed
        // event (the node's bug; polling still tells the truth).
        s.done().whenComplete((ok, error) -> streamEnded());
    }

    private void onStreamStatus(StatusReport status) {
        if (closed) {
            return;
        }
        lastStreamEventNanos = System.nanoTime();
        answered = true;
        if (!streamLive) {
            streamLive = true;
            streamBackoffNanos = Duration.ofMillis(500).toNanos();
        }
        sink.accept(MemberObservation.reachable(name, ReportedStatus.of(status)));
    }

    private void streamEnded() {
        streamActive = false;
        boolean wasLive = streamLive;
        streamLive = false;
        if (wasLive && !closed) {
            poll();
        }
    }

    private void cancelStream() {
        streamLive = false;
        streamActive = false;
        StatusSubscription s = stream;
        if (s != null) {
            s.cancel();
        }
    }

    private void poll() {
        if (pollInFlight || closed) {
            return;
        }
        pollInFlight = true;
        CompletableFuture<StatusReport> f;
        try {
            f = (answered ? node : firstContact).statusAsync();
        } catch (RuntimeException e) {
            pollInFlight = false;
            sink.accept(failed(describe(e)));
            return;
        }
        f.whenComplete((status, error) -> {
            pollInFlight = false;
            if (closed || streamLive) {
                return;
            }
            if (error == null) {
                answered = true;
                sink.accept(MemberObservation.reachable(name, ReportedStatus.of(status)));
                return;
            }
            Throwable cause = rootOf(error);
            if (cause instanceof NodeApiException e) {
                sink.accept(failed("GET /v1/status answered HTTP " + e.status()));
            } else if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException e) {
                sink.accept(failed("GET /v1/status returned invalid JSON: " + e.getMessage()));
            } else {
                sink.accept(failed(describe(error)));
            }
        });
    }

    private MemberObservation failed(String error) {
        return answered ? MemberObservation.unreachable(name, error) : MemberObservation.notAnsweredYet(name, error);
    }

    private static Throwable rootOf(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static String describe(Throwable error) {
        Throwable t = rootOf(error);
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public String toString() {
        return name + "@" + node.base() + (streamLive ? " (stream)" : " (polling)");
    }
}
