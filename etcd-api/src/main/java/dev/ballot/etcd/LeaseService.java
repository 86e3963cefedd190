package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.api.LeaseKeepAliveResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.ballot.etcd.Dispatcher.answer;
import static dev.ballot.etcd.Dispatcher.stub;

/**
 * etcd's Lease service. Grant and revoke go through the log; keep-alive and time-to-live are the leader's
 * (its clock decides expiry), so a follower forwards each keep-alive to the leader as one unary internal
 * call ({@code ballot.etcd.LeaseForward/KeepAliveOnce}) and keeps the client's stream open across leader
 * changes. LeaseLeases is served with a hand-written codec: jetcd's rpc.proto predates it.
 */
final class LeaseService extends LeaseGrpc.LeaseImplBase {
    static final MethodDescriptor<LeaseKeepAliveRequest, LeaseKeepAliveResponse> KEEP_ALIVE_ONCE =
            MethodDescriptor.<LeaseKeepAliveRequest, LeaseKeepAliveResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName("ballot.etcd.LeaseForward/KeepAliveOnce")
                    .setRequestMarshaller(ProtoUtils.marshaller(LeaseKeepAliveRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(LeaseKeepAliveResponse.getDefaultInstance()))
                    .build();
    /** etcd's Lease/LeaseLeases: an empty request, a response of header (1) and repeated LeaseStatus{ID = 1} (2). */
    static final MethodDescriptor<byte[], byte[]> LEASE_LEASES = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("etcdserverpb.Lease/LeaseLeases")
            .setRequestMarshaller(RawMarshaller.INSTANCE)
            .setResponseMarshaller(RawMarshaller.INSTANCE)
            .build();

    private final EtcdBackend backend;
    private final Headers headers;
    private final Dispatcher dispatcher;

    LeaseService(EtcdBackend backend, Headers headers, Dispatcher dispatcher) {
        this.backend = backend;
        this.headers = headers;
        this.dispatcher = dispatcher;
    }

    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
        if (request.getTTL() > EtcdStateMachine.MAX_TTL) {
            observer.onError(EtcdError.LEASE_TTL_TOO_LARGE.exception());
            return;
        }
        long requestId = backend.newRequestId();
        // The proposer picks the id, so every member applies the same one.
        LeaseGrantRequest fixed = request.toBuilder()
                .setID(request.getID() != 0 ? request.getID() : requestId & Long.MAX_VALUE)
                .setTTL(Math.max(EtcdStateMachine.MIN_TTL, request.getTTL())).build();
        answer(dispatcher.write(new EtcdCommand(EtcdCommand.Kind.LEASE_GRANT, requestId, fixed),
                (leader, mark) -> stub(LeaseGrpc.newFutureStub(leader), mark).leaseGrant(request)), observer);
    }

    @Override
    public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
        answer(dispatcher.write(EtcdCommand.Kind.LEASE_REVOKE, request,
                (leader, mark) -> stub(LeaseGrpc.newFutureStub(leader), mark).leaseRevoke(request)), observer);
    }

    @Override
    public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
        answer(dispatcher.route(() -> backend.readLocal(sm -> {
            long now = System.nanoTime();
            var lease = sm.leases().get(request.getID());
            LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
                    .setHeader(headers.of(sm.store().currentRevision())).setID(request.getID());
            if (lease == null) {
                return b.setTTL(-1).build(); // etcd's answer for a lease that does not exist
            }
            long left = sm.remaining(request.getID(), now);
            b.setTTL(left < 0 ? lease.ttl() : left).setGrantedTTL(lease.ttl());
            if (request.getKeys()) {
                for (ByteString k : lease.keys()) {
                    b.addKeys(k);
                }
            }
            return b.build();
        }), (leader, mark) -> stub(LeaseGrpc.newFutureStub(leader), mark).leaseTimeToLive(request)), observer);
    }

    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> responses) {
        return new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveRequest request) {
                keepAliveOnce(request).whenComplete((r, t) -> {
                    synchronized (responses) {
                        try {
                            if (t == null) {
                                responses.onNext(r);
                            }
                            // A failed renewal (no leader yet) is not answered: the client renews again soon.
                        } catch (RuntimeException ignored) {
                            // the stream ended meanwhile
                        }
                    }
                });
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                synchronized (responses) {
                    responses.onCompleted();
                }
            }
        };
    }

    CompletableFuture<LeaseKeepAliveResponse> keepAliveOnce(LeaseKeepAliveRequest request) {
        return dispatcher.route(() -> backend.readLocal(sm -> LeaseKeepAliveResponse.newBuilder()
                        .setHeader(headers.of(sm.store().currentRevision())).setID(request.getID())
                        .setTTL(sm.renew(request.getID(), System.nanoTime())).build()),
                (leader, mark) -> ClientCalls.futureUnaryCall(
                        ClientInterceptors.intercept(leader, MetadataUtils.newAttachHeadersInterceptor(mark))
                                .newCall(KEEP_ALIVE_ONCE, CallOptions.DEFAULT.withDeadlineAfter(
                                        Dispatcher.REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)), request));
    }

    /** The generated Lease service plus LeaseLeases, which jetcd's rpc.proto lacks. */
    ServerServiceDefinition leaseService() {
        ServerServiceDefinition generated = bindService();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(generated.getServiceDescriptor().getName());
        generated.getMethods().forEach(b::addMethod);
        return b.addMethod(LEASE_LEASES, ServerCalls.asyncUnaryCall(this::leaseLeases)).build();
    }

    /** The internal forwarding method. */
    ServerServiceDefinition forwardService() {
        return ServerServiceDefinition.builder("ballot.etcd.LeaseForward")
                .addMethod(KEEP_ALIVE_ONCE, ServerCalls.asyncUnaryCall((req, obs) -> answer(keepAliveOnce(req), obs)))
                .build();
    }

    /** etcd's LeaseLeases: every lease id, served here (the lease table is replicated). */
    void leaseLeases(byte[] ignored, StreamObserver<byte[]> observer) {
        answer(backend.readLocal(sm -> {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.writeMessage(1, headers.of(sm.store().currentRevision()));
                for (long id : List.copyOf(sm.leases().all().keySet())) {
                    out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(1, id));
                    out.writeInt64(1, id);
                }
                out.flush();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }), observer);
    }

    /** Bytes as they are on the wire. */
    enum RawMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
