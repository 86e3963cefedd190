package dev.ballot.nodeapi;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Typed calls on one node (docs/node-api.md). Each call exists as {@code xAsync()}, completing with the
 * result or exceptionally, and as a blocking {@code x()}. A node's error answer is a
 * {@link NodeApiException} with its code; no answer is the JDK's {@link IOException}
 * ({@link java.net.ConnectException}, {@link java.net.http.HttpTimeoutException}...). Immutable.
 */
public final class NodeEndpoint {
    private static final String JSON_TYPE = "application/json";

    private final HttpClient http;
    private final String base;
    private final Duration timeout;

    NodeEndpoint(HttpClient http, URI base, Duration timeout) {
        this.http = http;
        String b = base.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.timeout = timeout;
    }

    /** The same node with another deadline for each whole call. */
    public NodeEndpoint withTimeout(Duration requestTimeout) {
        return new NodeEndpoint(http, URI.create(base), requestTimeout);
    }

    public URI base() {
        return URI.create(base);
    }

    @Override
    public String toString() {
        return base;
    }

    // ------------------------------------------------------------------ status and health

    public CompletableFuture<StatusReport> statusAsync() {
        return call(get(NodePaths.STATUS).header("Accept", JSON_TYPE), r -> json(ok(r), StatusReport.class));
    }

    public StatusReport status() throws IOException, InterruptedException {
        return await(statusAsync());
    }

    /**
     * Subscribes to {@code /v1/status/events}: {@code onStatus} gets the status at connect, at every change
     * and every 5 s (on the client's threads, one at a time). The subscription ends when the stream does, or
     * on {@link StatusSubscription#cancel()}; a client that sees it end reconnects. No request deadline applies.
     */
    public StatusSubscription subscribeStatus(Consumer<StatusReport> onStatus) {
        return StatusSubscription.open(http, URI.create(base + NodePaths.STATUS_EVENTS), onStatus);
    }

    /** {@code /healthz}: passes while the node's driver loop runs. */
    public CompletableFuture<Probe> healthzAsync() {
        return call(get(NodePaths.HEALTHZ), NodeEndpoint::probe);
    }

    public Probe healthz() throws IOException, InterruptedException {
        return await(healthzAsync());
    }

    /** {@code /readyz}: passes when the node is a member, knows a leader, is caught up and hears from it. */
    public CompletableFuture<Probe> readyzAsync() {
        return call(get(NodePaths.READYZ), NodeEndpoint::probe);
    }

    public Probe readyz() throws IOException, InterruptedException {
        return await(readyzAsync());
    }

    /** {@code /metrics} in the Prometheus text format. */
    public String metrics() throws IOException, InterruptedException {
        return await(call(get(NodePaths.METRICS), r -> new String(ok(r).body(), StandardCharsets.UTF_8)));
    }

    // ------------------------------------------------------------------ key-value

    /** PUT: completes with the revision once the write is committed and applied. */
    public CompletableFuture<Long> putAsync(String key, byte[] value) {
        return call(request(NodePaths.kv(key)).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)), r -> json(ok(r), Revision.class).revision());
    }

    public long put(String key, byte[] value) throws IOException, InterruptedException {
        return await(putAsync(key, value));
    }

    public long put(String key, String value) throws IOException, InterruptedException {
        return put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** GET: the value and its revision, or empty when the key is absent. */
    public CompletableFuture<Optional<KvValue>> getAsync(String key, Consistency consistency) {
        String query = consistency == Consistency.LINEARIZABLE ? ""
                : "?" + NodePaths.CONSISTENCY_PARAM + "=" + consistency.wireName();
        return call(get(NodePaths.kv(key) + query), r -> {
            if (r.statusCode() == 404) {
                ApiError e = error(r);
                if (e.code() == ErrorCode.NOT_FOUND && "key".equals(e.field())) {
                    return Optional.empty();
                }
                throw new NodeApiException(404, e);
            }
            return Optional.of(new KvValue(ok(r).body(), revisionHeader(r)));
        });
    }

    public Optional<KvValue> get(String key, Consistency consistency) throws IOException, InterruptedException {
        return await(getAsync(key, consistency));
    }

    /** DELETE: the revision of the delete (also when the key was absent). */
    public CompletableFuture<Long> deleteAsync(String key) {
        return call(request(NodePaths.kv(key)).DELETE(), r -> json(ok(r), Revision.class).revision());
    }

    public long delete(String key) throws IOException, InterruptedException {
        return await(deleteAsync(key));
    }

    /** Compare-and-set: {@code expect} null means "must be absent". Refused is a result, not an error. */
    public CompletableFuture<CasOutcome> compareAndSetAsync(String key, String expect, String value) {
        return call(post(NodePaths.cas(key), new CasRequest(expect, value)), r -> {
            if (r.statusCode() == 409) {
                ApiError e = error(r);
                if (e.code() == ErrorCode.COMPARE_FAILED) {
                    return CasOutcome.refused(e.currentValue());
                }
                throw new NodeApiException(409, e);
            }
            return CasOutcome.applied(json(ok(r), Revision.class).revision());
        });
    }

    public CasOutcome compareAndSet(String key, String expect, String value) throws IOException, InterruptedException {
        return await(compareAndSetAsync(key, expect, value));
    }

    // ------------------------------------------------------------------ admin (any member; followers forward)

    public CompletableFuture<Configuration> membersAsync() {
        return call(get(NodePaths.MEMBERS), r -> json(ok(r), Configuration.class));
    }

    public Configuration members() throws IOException, InterruptedException {
        return await(membersAsync());
    }

    /** Adds a learner (Raft) or observer (ZAB); idempotent. */
    public CompletableFuture<Configuration> addMemberAsync(AddMemberRequest member) {
        return call(post(NodePaths.MEMBERS, member), r -> json(ok(r), Configuration.class));
    }

    public Configuration addMember(AddMemberRequest member) throws IOException, InterruptedException {
        return await(addMemberAsync(member));
    }

    /** Makes a caught-up non-voter a voter; idempotent. */
    public CompletableFuture<Configuration> promoteAsync(String name) {
        return call(request(NodePaths.promote(name)).POST(HttpRequest.BodyPublishers.noBody()),
                r -> json(ok(r), Configuration.class));
    }

    public Configuration promote(String name) throws IOException, InterruptedException {
        return await(promoteAsync(name));
    }

    /** Removes a member; removing an absent one answers the configuration as it is. */
    public CompletableFuture<Configuration> removeMemberAsync(String name) {
        return call(request(NodePaths.member(name)).DELETE(), r -> json(ok(r), Configuration.class));
    }

    public Configuration removeMember(String name) throws IOException, InterruptedException {
        return await(removeMemberAsync(name));
    }

    /** Completes once leadership has moved (at once when the target already leads). */
    public CompletableFuture<TransferResult> transferLeadershipAsync(TransferRequest transfer) {
        return call(post(NodePaths.TRANSFER_LEADERSHIP, transfer), r -> json(ok(r), TransferResult.class));
    }

    public TransferResult transferLeadership(TransferRequest transfer) throws IOException, InterruptedException {
        return await(transferLeadershipAsync(transfer));
    }

    /** Asks this member to rebuild the cluster from its own data at its next start (quorum-loss recovery). */
    public ForceNewCluster.Result forceNewCluster(ForceNewCluster.Request request) throws IOException, InterruptedException {
        return await(call(post(NodePaths.FORCE_NEW_CLUSTER, request), r -> json(ok(r), ForceNewCluster.Result.class)));
    }

    // ------------------------------------------------------------------ plumbing

    /** Decodes an answer; may throw {@link NodeApiException} for an error answer. */
    @FunctionalInterface
    private interface Decoder<T> {
        T decode(HttpResponse<byte[]> response) throws IOException;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
    }

    private HttpRequest.Builder get(String path) {
        return request(path).GET();
    }

    private HttpRequest.Builder post(String path, Object body) {
        byte[] bytes;
        try {
            bytes = NodeJson.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
        }
        return request(path).header("Content-Type", JSON_TYPE).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    }

    private <T> CompletableFuture<T> call(HttpRequest.Builder request, Decoder<T> decoder) {
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            try {
                return decoder.decode(r);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        });
    }

    /** The 200 answer itself, or the node's error as an exception. */
    private static HttpResponse<byte[]> ok(HttpResponse<byte[]> r) throws NodeApiException {
        if (r.statusCode() != 200) {
            throw new NodeApiException(r.statusCode(), error(r));
        }
        return r;
    }

    private static Probe probe(HttpResponse<byte[]> r) throws NodeApiException {
        if (r.statusCode() == 200) {
            return Probe.pass();
        }
        ApiError e = error(r);
        if (r.statusCode() == 503) {
            return Probe.fail(e.message());
        }
        throw new NodeApiException(r.statusCode(), e);
    }

    private static <T> T json(HttpResponse<byte[]> r, Class<T> type) throws IOException {
        return NodeJson.MAPPER.readValue(r.body(), type);
    }

    /** The error body; one that is not the API's JSON (a proxy's page, say) becomes code {@code unknown}. */
    static ApiError error(HttpResponse<byte[]> r) {
        try {
            ApiError e = NodeJson.MAPPER.readValue(r.body(), ApiError.class);
            if (e != null && e.error() != null) {
                return e;
            }
        } catch (IOException | RuntimeException e) {
            // not the API's error body: described below
        }
        String text = new String(r.body(), StandardCharsets.UTF_8);
        return new ApiError(ErrorCode.UNKNOWN.wireName(), "HTTP " + r.statusCode()
                + (text.isBlank() ? "" : ": " + text.substring(0, Math.min(200, text.length()))), null, null, null, null);
    }

    private static long revisionHeader(HttpResponse<?> r) {
        return r.headers().firstValueAsLong(NodePaths.REVISION_HEADER).orElse(0);
    }

    /** Waits for an async call; its failure is rethrown as what it was (a {@link NodeApiException}, the JDK's IOException). */
    static <T> T await(CompletableFuture<T> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new InterruptedIOException("the call was cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }
}
