package dev.ballot.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.ConnectivityState;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
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
    /**
     * After the leader's port refused a forward (or our channel to it was still in its reconnect backoff), the next
     * attempt comes at the latest this long after, even when this node still sees the same leader: a member that was
     * restarted and then elected is reachable again, and a refused call was never delivered, so it is safe to send.
     */
    static final long REFUSED_RETRY_MS = 20;
    /** How long a call forwarded to a replaced leader may still be answered by it (the seed's heartbeat). */
    static final long ABANDON_GRACE_MS = 50;
    /** {@code -Dballot.trace.failover=true}: each routing decision that is not an immediate local success is logged. */
    private static final boolean TRACE = Boolean.getBoolean("ballot.trace.failover");
    /** {@code -Dballot.trace.writes=true}: a line with a monotonic stamp where a unary call starts and is answered. */
    static final boolean WRITE_TRACE = Boolean.getBoolean("ballot.trace.writes");
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("ballot.trace.failover");

    private final EtcdBackend backend;
    private final Headers headers;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    /** The forwarding channels' callback threads (the server's bounded call threads); null: gRPC's cached pool. */
    private final Executor callbacks;
    /** Null: forward over plain HTTP/2; else over TLS with this member's own certificate. */
    private final EtcdTls tls;
    private volatile boolean closed;
    /** Calls forwarded and not answered yet, by the leader they went to: what {@link #followLeader} ends when it is replaced. */
    private final Map<Long, java.util.Set<Runnable>> forwardsTo = new ConcurrentHashMap<>();

    Dispatcher(EtcdBackend backend, Headers headers) {
        this(backend, headers, null, null);
    }

    Dispatcher(EtcdBackend backend, Headers headers, EtcdTls tls, Executor callbacks) {
        this.backend = backend;
        this.headers = headers;
        this.tls = tls;
        this.callbacks = callbacks;
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
        return route(() -> proposeSettled(command).thenApply(this::<R>response), forward);
    }

    /** {@link #write(EtcdCommand, Forward)} of {@code request} as a new command of {@code kind} (a fresh request id). */
    <R extends Message> CompletableFuture<R> write(EtcdCommand.Kind kind, Message request, Forward<R> forward) {
        return write(new EtcdCommand(kind, backend.newRequestId(), request), forward);
    }

    /**
     * Proposes {@code txn} on this node, for a call already routed to the leader (lock, election): its response or
     * its etcd error. Settled as every write is ({@link #proposeSettled}): a lock or campaign whose leader was lost
     * while it waited answers what was applied, or is retried on the new leader when it never will be.
     */
    CompletableFuture<TxnResponse> txnHere(TxnRequest txn) {
        return proposeSettled(new EtcdCommand(EtcdCommand.Kind.TXN, backend.newRequestId(), txn))
                .thenApply(this::<TxnResponse>response);
    }

    /**
     * Proposes on this node. When leadership is lost while the write waits, it is settled instead of failed:
     * once this node applies an entry of a later term, the write either was applied (its result is in the
     * machine's memo: answered) or never will be (NOT_LEADER: retried on the new leader). Only when a snapshot
     * replaced the entries in between does the client see "leader changed" (outcome unknown).
     */
    CompletableFuture<EtcdResult> proposeSettled(EtcdCommand command) {
        long term = backend.term();
        return backend.propose(command).exceptionallyCompose(t -> {
            Throwable c = unwrap(t);
            if (!(c instanceof EtcdError.Failure f) || f.error() != EtcdError.LEADER_CHANGED) {
                return CompletableFuture.failedFuture(c);
            }
            // The entry was appended in our term; the term we see now is the successor's (the same one when a
            // leader stepped down without an election). An entry of a term after the older of those two, and at
            // least the newer one, comes after everything of our term that survives.
            long now = backend.term();
            long threshold = Math.max(term, now - 1);
            CompletableFuture<EtcdResult> settled = new CompletableFuture<>();
            backend.readLocal(sm -> {
                sm.afterTerm(threshold, known -> {
                    EtcdResult r = sm.recentResult(command.requestId());
                    if (r != null) {
                        settled.complete(r);
                    } else {
                        settled.completeExceptionally((known ? EtcdError.NOT_LEADER : EtcdError.LEADER_CHANGED).failure());
                    }
                });
                return null;
            }).exceptionally(e -> {
                settled.completeExceptionally(e);
                return null;
            });
            return settled;
        });
    }

    <R> CompletableFuture<R> route(Supplier<CompletableFuture<R>> local, Forward<R> forward) {
        return route(local, forward, REQUEST_TIMEOUT);
    }

    /**
     * As {@link #route(Supplier, Forward)}, waiting at most {@code timeout} (null: as long as the call lives).
     * A refusal that says the call was not applied (this node or the one forwarded to is not the leader, or
     * the leader's port refused the connection) is retried once this node sees another leader, within the
     * timeout, as etcd's followers keep a proposal until a leader takes it: clients ride through elections.
     */
    <R> CompletableFuture<R> route(Supplier<CompletableFuture<R>> local, Forward<R> forward, Duration timeout) {
        boolean wasForwarded = forwarded();
        CompletableFuture<R> out = new CompletableFuture<>();
        // a call that may wait long by design (a lock, a campaign: no timeout) keeps waiting on a replaced leader
        attempt(local, forward, wasForwarded, timeout != null, out);
        return timeout == null ? out : out.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <R> void attempt(Supplier<CompletableFuture<R>> local, Forward<R> forward, boolean wasForwarded,
                             boolean abandonable, CompletableFuture<R> out) {
        if (out.isDone()) {
            return; // timed out or cancelled meanwhile
        }
        long leader = backend.leaderId();
        long startedAt = System.nanoTime();
        if (leader == 0) {
            trace(() -> "route: no leader known, waiting" + (wasForwarded ? " (forwarded call)" : ""));
            backend.leaderChangeFrom(0).whenComplete((l, t) -> attempt(local, forward, wasForwarded, abandonable, out));
            return;
        }
        CompletableFuture<R> call;
        if (leader == backend.memberId()) {
            call = local.get();
        } else if (wasForwarded) {
            call = CompletableFuture.failedFuture(EtcdError.NOT_LEADER.failure()); // never a second hop
        } else {
            call = forwardTo(leader, forward, abandonable);
        }
        call.whenComplete((r, t) -> {
            long took = System.nanoTime() - startedAt;
            if (TRACE && (t != null || leader != backend.memberId() || took > 20_000_000L)) {
                trace(() -> "route: " + (leader == backend.memberId() ? "local" : wasForwarded ? "refused (forwarded call)"
                        : "forwarded to " + leader) + " took " + took / 1_000_000 + "ms: " + (t == null ? "ok" : unwrap(t) + " cause " + unwrap(t).getCause()));
            }
            if (t == null) {
                out.complete(r);
            } else if (!wasForwarded && notApplied(t)) {
                CompletableFuture<Long> next = backend.leaderChangeFrom(leader);
                if (causedByRefusedConnection(t)) {
                    next.completeOnTimeout(leader, REFUSED_RETRY_MS, TimeUnit.MILLISECONDS);
                }
                next.whenComplete((l, t2) -> attempt(local, forward, false, abandonable, out));
            } else {
                out.completeExceptionally(t);
            }
        });
    }

    private static void trace(Supplier<String> what) {
        if (TRACE) {
            LOG.info(() -> "trace " + what.get());
        }
    }

    /** Failures that mean the request was certainly not applied, so retrying it cannot apply it twice. */
    static boolean notApplied(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof EtcdError.Failure f) {
            return f.error() == EtcdError.NOT_LEADER || f.error() == EtcdError.NO_LEADER;
        }
        if (c instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE) {
            String d = s.getStatus().getDescription();
            return EtcdError.NOT_LEADER.message().equals(d) || EtcdError.NO_LEADER.message().equals(d)
                    || causedByRefusedConnection(s);
        }
        return false;
    }

    private static boolean causedByRefusedConnection(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private <R> CompletableFuture<R> forwardTo(long leader, Forward<R> forward, boolean abandonable) {
        String target = backend.etcdTarget(leader);
        if (target == null) {
            return CompletableFuture.failedFuture(EtcdError.NO_LEADER.failure());
        }
        Metadata mark = new Metadata();
        mark.put(FORWARDED_BY, Long.toString(backend.memberId()));
        CompletableFuture<R> out = new CompletableFuture<>();
        ListenableFuture<R> rpc = forward.call(connected(target), mark);
        Futures.addCallback(rpc, new FutureCallback<R>() {
            @Override
            public void onSuccess(R r) {
                out.complete(r);
            }

            @Override
            public void onFailure(Throwable t) {
                out.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        if (!abandonable) {
            return out;
        }
        // A frozen or cut-off leader never answers: a call forwarded to it would wait out its whole deadline (5 s)
        // although this node has since learnt of its successor. Once it has (followLeader), and after one more
        // heartbeat's grace for an answer already on its way, the call ends with etcd's own "leader changed" (whether
        // the old leader applied it is unknown, so it is not retried here); the client retries at once.
        Runnable abandon = () -> {
            if (out.completeExceptionally(EtcdError.LEADER_CHANGED.failure())) {
                rpc.cancel(true);
                trace(() -> "abandoned a call forwarded to " + leader + ": a new leader is known");
            }
        };
        java.util.Set<Runnable> toLeader = forwardsTo.computeIfAbsent(leader, l -> ConcurrentHashMap.newKeySet());
        toLeader.add(abandon);
        out.whenComplete((r, t) -> toLeader.remove(abandon));
        long now = backend.leaderId();
        if (now != 0 && now != leader) { // replaced while this call was being sent
            abandonLater(List.of(abandon));
        }
        return out;
    }

    private static void abandonLater(java.util.Collection<Runnable> calls) {
        CompletableFuture.delayedExecutor(ABANDON_GRACE_MS, TimeUnit.MILLISECONDS).execute(() -> calls.forEach(Runnable::run));
    }

    /**
     * The channel to {@code target}, asked to connect now; one that is waiting out its reconnect backoff (its member
     * was down when it last tried, and may since have restarted and been elected) tries again at once instead of
     * failing every call until the backoff ends (gRPC's grows to minutes).
     */
    ManagedChannel connected(String target) {
        ManagedChannel c = channel(target);
        if (c.getState(true) == ConnectivityState.TRANSIENT_FAILURE) {
            c.resetConnectBackoff();
        }
        return c;
    }

    /**
     * From now on, whenever this node learns of a new leader other than itself, its forwarding channel to that leader
     * connects at once, and calls still waiting on an earlier leader are ended (see {@link #forwardTo}): the first call forwarded after an election finds the connection up (and never a backoff left
     * over from the leader's earlier death) instead of paying for it (docs/bench.md, "The first write after an election").
     */
    void followLeader(Executor executor) {
        if (closed) {
            return;
        }
        long leader = backend.leaderId();
        if (leader != 0 && leader != backend.memberId()) {
            String target = backend.etcdTarget(leader);
            if (target != null) {
                connected(target);
                trace(() -> "connecting to leader " + leader + " at " + target);
            }
        }
        if (leader != 0) {
            forwardsTo.forEach((old, calls) -> {
                if (old != leader && !calls.isEmpty()) {
                    abandonLater(List.copyOf(calls));
                }
            });
            forwardsTo.entrySet().removeIf(e -> e.getKey() != leader && e.getValue().isEmpty());
        }
        backend.leaderChangeFrom(leader).whenCompleteAsync((l, t) -> {
            if (l != null && l != leader) {
                followLeader(executor);
            } else { // no change (the wait's own bound, or the node stopped): look again later, never in a spin
                CompletableFuture.delayedExecutor(1, TimeUnit.SECONDS, executor).execute(() -> followLeader(executor));
            }
        }, executor);
    }

    /**
     * One call of each kind a member serves to clients or forwards, made to this member itself over a channel built as
     * the forwarding ones are: the first client call a member served in its life took 300-600 ms (a status call; a
     * forwarded write 200-300 ms more) under load on this machine, class loading and interpretation of gRPC's and
     * Netty's server and client paths, paid by the first request after a failover when the new leader or the member
     * forwarding to it had not served one before. Now paid at start-up, off any client's path. Nothing is written.
     */
    CompletableFuture<Void> warmUp(Executor executor) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String self = backend.etcdTarget(backend.memberId());
        if (self == null) {
            done.complete(null);
            return done;
        }
        ManagedChannel c = channel(self);
        ListenableFuture<?> status = io.etcd.jetcd.api.MaintenanceGrpc.newFutureStub(c)
                .withDeadlineAfter(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .status(io.etcd.jetcd.api.StatusRequest.getDefaultInstance());
        status.addListener(() -> {
            ListenableFuture<?> range = io.etcd.jetcd.api.KVGrpc.newFutureStub(c)
                    .withDeadlineAfter(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .range(io.etcd.jetcd.api.RangeRequest.newBuilder()
                            .setKey(com.google.protobuf.ByteString.copyFromUtf8("\0ballot-warm-up")).setSerializable(true).build());
            range.addListener(() -> {
                channels.remove(self, c);
                c.shutdown();
                trace(() -> "warmed up");
                done.complete(null);
            }, executor);
        }, executor);
        return done;
    }

    ManagedChannel channel(String target) {
        return channels.computeIfAbsent(target, t -> {
            NettyChannelBuilder b = tls == null ? NettyChannelBuilder.forTarget(t).usePlaintext()
                    : NettyChannelBuilder.forTarget(t, tls.channelCredentials());
            return (callbacks == null ? b : b.executor(callbacks)).build();
        });
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
        return headers.stamp(m);
    }

    /** Answers a unary call from a future. */
    static <R> void answer(CompletableFuture<R> future, StreamObserver<R> observer) {
        if (WRITE_TRACE) {
            stamp("call handed on");
        }
        future.whenComplete((r, t) -> {
            if (WRITE_TRACE) {
                stamp("call completed");
            }
            if (t == null) {
                observer.onNext(r);
                observer.onCompleted();
            } else {
                observer.onError(status(t));
            }
            if (WRITE_TRACE) {
                stamp("call answered");
            }
        });
    }

    /** One write-trace line: what, on which thread ({@link StampedTrace}). */
    static void stamp(String what) {
        String thread = Thread.currentThread().getName();
        StampedTrace.line(() -> what + " on " + thread);
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
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
