package dev.ballot.operator.members;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * The operator's line to one member: a server-sent-events subscription to /v1/status/events, with polling of
 * /v1/status whenever the stream is not live. Never throws to its caller; failures become unreachable observations.
 * Driven by {@link #tick(long)} from one scheduler thread; callbacks arrive on the HTTP client's threads.
 */
final class MemberLink {
    private final String name;
    private final URI base;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration requestTimeout;
    private final Duration staleAfter;
    private final Consumer<MemberObservation> sink;

    private volatile boolean closed;
    private volatile boolean streamLive;
    private volatile long lastStreamEventNanos;
    private volatile long nextStreamAttemptNanos;
    private volatile long streamBackoffNanos = Duration.ofMillis(500).toNanos();
    private volatile CompletableFuture<?> streamFuture;
    private volatile Flow.Subscription streamSubscription;
    private volatile boolean pollInFlight;
    /** A stream request is open (connecting or streaming); cleared when it ends for any reason. */
    private volatile boolean streamActive;

    MemberLink(String name, URI base, HttpClient http, ObjectMapper json, Duration requestTimeout,
               Duration staleAfter, Consumer<MemberObservation> sink) {
        this.name = name;
        this.base = base;
        this.http = http;
        this.json = json;
        this.requestTimeout = requestTimeout;
        this.staleAfter = staleAfter;
        this.sink = sink;
    }

    URI base() {
        return base;
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
        HttpRequest request = HttpRequest.newBuilder(base.resolve(base.getPath() + "/v1/status/events"))
                .header("Accept", "text/event-stream")
                .GET()
                .build();
        SseParser parser = new SseParser(this::onStreamEvent);
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                streamSubscription = subscription;
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                parser.line(line);
            }

            @Override
            public void onError(Throwable throwable) {
                streamEnded();
            }

            @Override
            public void onComplete() {
                streamEnded();
            }
        };
        streamActive = true;
        try {
            CompletableFuture<HttpResponse<Void>> f = http.sendAsync(request, info -> info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(lines)
                    : HttpResponse.BodySubscribers.replacing(null));
            streamFuture = f;
            f.whenComplete((response, error) -> {
                if (error != null || response.statusCode() != 200) {
                    streamEnded();
                }
            });
        } catch (RuntimeException e) {
            streamEnded();
        }
    }

    private void onStreamEvent(String type, String data) {
        if (closed || !("status".equals(type) || "message".equals(type))) {
            return;
        }
        try {
            ReportedStatus status = json.readValue(data, ReportedStatus.class);
            lastStreamEventNanos = System.nanoTime();
            if (!streamLive) {
                streamLive = true;
                streamBackoffNanos = Duration.ofMillis(500).toNanos();
            }
            sink.accept(MemberObservation.reachable(name, status));
        } catch (Exception e) {
            // A malformed event is the node's bug; polling still tells the truth.
            cancelStream();
        }
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
        Flow.Subscription s = streamSubscription;
        if (s != null) {
            s.cancel();
        }
        CompletableFuture<?> f = streamFuture;
        if (f != null) {
            f.cancel(true);
        }
    }

    private void poll() {
        if (pollInFlight || closed) {
            return;
        }
        pollInFlight = true;
        HttpRequest request = HttpRequest.newBuilder(base.resolve(base.getPath() + "/v1/status"))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<String>> f;
        try {
            f = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            pollInFlight = false;
            sink.accept(MemberObservation.unreachable(name, describe(e)));
            return;
        }
        f.whenComplete((response, error) -> {
            pollInFlight = false;
            if (closed || streamLive) {
                return;
            }
            if (error != null) {
                sink.accept(MemberObservation.unreachable(name, describe(error)));
            } else if (response.statusCode() != 200) {
                sink.accept(MemberObservation.unreachable(name, "GET /v1/status answered HTTP "
                        + response.statusCode()));
            } else {
                try {
                    sink.accept(MemberObservation.reachable(name, json.readValue(response.body(),
                            ReportedStatus.class)));
                } catch (Exception e) {
                    sink.accept(MemberObservation.unreachable(name, "GET /v1/status returned invalid JSON: "
                            + e.getMessage()));
                }
            }
        });
    }

    static String describe(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public String toString() {
        return name + "@" + base + (streamLive ? " (stream)" : " (polling)");
    }
}
