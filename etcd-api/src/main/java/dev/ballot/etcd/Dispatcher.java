package dev.ballot.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a call is served: writes are proposed on the leader, linearizable reads confirmed by it; a follower
 * forwards both to the leader's etcd API (once: a forwarded call is never forwarded again) so clients need
 * not find the leader. Also turns results into responses with full headers and failures into etcd's errors.
 */
final class Dispatcher implements AutoCloseable {
    static final Metadata.Key<String> FORWARDED_BY = Metadata.Key.of("ballot-forwarded-by", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> FORWARDED = Context.key("ballot-forwarded-by");
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How long a call waits for an election before answering "no leader". */
    static final Duration LEADER_WAIT = Duration.ofSeconds(3);

    private final EtcdBackend backend;
    private final Headers headers;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    Dispatcher(EtcdBackend backend, Headers headers) {
        this.backend = backend;
        this.headers = headers;
    }

    /** Copies the forwarding mark from the request's metadata into its context. */
    static ServerInterceptor interceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata md, ServerCallHandler<Q, A> next) {
                String by = md.get(FORWARDED_BY);
                return by == null ? next.startCall(call, md)
                        : Contexts.interceptCall(Context.current().withValue(FORWARDED, by), call, md, next);
            }
        };
    }

    static boolean forwarded() {
        return FORWARDED.get() != null;
    }

    /** A forwarding target: a stub on the leader's channel, marked as forwarded. */
    interface Forward<R> {
        ListenableFuture<R> call(ManagedChannel leader, Metadata mark);
    }

    /** Propose {@code command} here if this node leads, else forward with {@code forward}. */
    <R extends Message> CompletableFuture<R> write(EtcdCommand command, Forward<R> forward) {
        return route(() -> backend.propose(command).thenApply(this::<R>response), forward);
    }

    <R> CompletableFuture<R> route(Supplier<CompletableFuture<R>> local, Forward<R> forward) {
        return route(local, forward, REQUEST_TIMEOUT);
    }

    /** As {@link #route(Supplier, Forward)}, waiting at most {@code timeout} (null: as long as the call lives). */
    <R> CompletableFuture<R> route(Supplier<CompletableFuture<R>> local, Forward<R> forward, Duration timeout) {
        boolean wasForwarded = forwarded();
        long leader;
        try {
            leader = backend.leaderId() != 0 ? backend.leaderId() : backend.awaitLeader(LEADER_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(EtcdError.STOPPED.failure());
        }
        if (leader == 0) {
            return CompletableFuture.failedFuture(EtcdError.NO_LEADER.failure());
        }
        if (leader != backend.memberId()) {
            return wasForwarded ? CompletableFuture.failedFuture(EtcdError.NOT_LEADER.failure())
                    : forwardTo(leader, forward);
        }
        CompletableFuture<R> out = new CompletableFuture<>();
        local.get().whenComplete((r, t) -> {
            if (t == null) {
                out.complete(r);
            } else if (!wasForwarded && isNotLeader(t) && backend.leaderId() != 0 && backend.leaderId() != backend.memberId()) {
                forwardTo(backend.leaderId(), forward).whenComplete((r2, t2) -> {
                    if (t2 == null) {
                        out.complete(r2);
                    } else {
                        out.completeExceptionally(t2);
                    }
                });
            } else {
                out.completeExceptionally(t);
            }
        });
        return timeout == null ? out : out.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static boolean isNotLeader(Throwable t) {
        Throwable c = unwrap(t);
        return c instanceof EtcdError.Failure f && f.error() == EtcdError.NOT_LEADER;
    }

    private <R> CompletableFuture<R> forwardTo(long leader, Forward<R> forward) {
        String target = backend.etcdTarget(leader);
        if (target == null) {
            return CompletableFuture.failedFuture(EtcdError.NO_LEADER.failure());
        }
        Metadata mark = new Metadata();
        mark.put(FORWARDED_BY, Long.toString(backend.memberId()));
        CompletableFuture<R> out = new CompletableFuture<>();
        Futures.addCallback(forward.call(channel(target), mark), new FutureCallback<R>() {
            @Override
            public void onSuccess(R r) {
                out.complete(r);
            }

            @Override
            public void onFailure(Throwable t) {
                out.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return out;
    }

    ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, t -> NettyChannelBuilder.forTarget(t).usePlaintext().build());
    }

    /** A stub for a forwarded call: the forwarding mark attached, the request deadline set. */
    static <S extends AbstractStub<S>> S stub(S stub, Metadata mark) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(mark))
                .withDeadlineAfter(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stub for a forwarded call that may wait long (a lock, a campaign): the mark, no deadline of ours. */
    static <S extends AbstractStub<S>> S waitingStub(S stub, Metadata mark) {
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(mark));
    }

    /** The state machine's response with the header completed, or its etcd error thrown. */
    @SuppressWarnings("unchecked")
    <R extends Message> R response(EtcdResult result) {
        if (result.error() != null) {
            throw result.error().failure();
        }
        return (R) withHeader(result.response());
    }

    Message withHeader(Message m) {
        Message.Builder b = m.toBuilder();
        Descriptors.FieldDescriptor f = b.getDescriptorForType().findFieldByName("header");
        ResponseHeader h = (ResponseHeader) m.getField(f);
        return b.setField(f, headers.complete(h)).build();
    }

    /** Answers a unary call from a future. */
    static <R> void answer(CompletableFuture<R> future, StreamObserver<R> observer) {
        future.whenComplete((r, t) -> {
            if (t == null) {
                observer.onNext(r);
                observer.onCompleted();
            } else {
                observer.onError(status(t));
            }
        });
    }

    static StatusRuntimeException status(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof EtcdError.Failure f) {
            return f.error().exception();
        }
        if (c instanceof StatusRuntimeException s) {
            return s;
        }
        if (c instanceof TimeoutException) {
            return EtcdError.TIMEOUT.exception();
        }
        return Status.INTERNAL.withDescription(String.valueOf(c)).withCause(c).asRuntimeException();
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    <T> CompletableFuture<T> readLinearizable(Function<EtcdStateMachine, T> query, Forward<T> forward) {
        return route(() -> backend.readLinearizable(query), forward);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
