package dev.ballot.nodeapi;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A live subscription to a node's {@code /v1/status/events} (server-sent events). {@link #done()} completes
 * normally when the node ends the stream or it is cancelled, and exceptionally when it could not be opened
 * ({@link NodeApiException} for an error answer), broke, or carried an event that is not a status.
 */
public final class StatusSubscription {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile CompletableFuture<?> exchange;

    private StatusSubscription() {
    }

    static StatusSubscription open(HttpClient http, URI uri, Consumer<StatusReport> onStatus) {
        StatusSubscription s = new StatusSubscription();
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build();
        EventLines parser = new EventLines((type, data) -> s.onEvent(type, data, onStatus));
        Flow.Subscriber<String> lines = new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                s.subscription = subscription;
                if (s.done.isDone()) {
                    subscription.cancel();
                } else {
                    subscription.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(String line) {
                parser.line(line);
            }

            @Override
            public void onError(Throwable error) {
                s.done.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                s.done.complete(null);
            }
        };
        try {
            CompletableFuture<HttpResponse<Void>> f = http.sendAsync(request, info -> info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromLineSubscriber(lines)
                    : HttpResponse.BodySubscribers.replacing(null));
            s.exchange = f;
            f.whenComplete((response, error) -> {
                if (error != null) {
                    s.done.completeExceptionally(error);
                } else if (response.statusCode() != 200) {
                    s.done.completeExceptionally(new NodeApiException(response.statusCode(), ApiError.of(
                            ErrorCode.UNKNOWN, uri + " answered HTTP " + response.statusCode(), null)));
                }
            });
        } catch (RuntimeException e) {
            s.done.completeExceptionally(e);
        }
        return s;
    }

    private void onEvent(String type, String data, Consumer<StatusReport> onStatus) {
        if (done.isDone() || !(NodePaths.STATUS_EVENT.equals(type) || "message".equals(type))) {
            return;
        }
        StatusReport status;
        try {
            status = NodeJson.MAPPER.readValue(data, StatusReport.class);
        } catch (IOException e) {
            done.completeExceptionally(new IOException("a status event is not a status: " + e.getMessage(), e));
            stop();
            return;
        }
        onStatus.accept(status);
    }

    /** Completes when the stream ends; see the class comment. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /** Ends the subscription; {@link #done()} completes normally (unless it already had completed). */
    public void cancel() {
        done.complete(null);
        stop();
    }

    private void stop() {
        Flow.Subscription sub = subscription;
        if (sub != null) {
            sub.cancel();
        }
        CompletableFuture<?> f = exchange;
        if (f != null) {
            f.cancel(true);
        }
    }
}
