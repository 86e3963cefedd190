package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.StreamObserver;

import static dev.ballot.etcd.Dispatcher.answer;
import static dev.ballot.etcd.Dispatcher.stub;

/** etcd's KV service: writes through the log, linearizable reads via the leader's read index, serializable ones here. */
final class KvService extends KVGrpc.KVImplBase {
    private final EtcdBackend backend;
    private final Dispatcher dispatcher;

    KvService(EtcdBackend backend, Dispatcher dispatcher) {
        this.backend = backend;
        this.dispatcher = dispatcher;
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        if (request.getSerializable()) {
            answer(backend.readLocal(sm -> (RangeResponse) dispatcher.withHeader(sm.store().range(request))), observer);
            return;
        }
        answer(dispatcher.readLinearizable(sm -> (RangeResponse) dispatcher.withHeader(sm.store().range(request)),
                (leader, mark) -> stub(KVGrpc.newFutureStub(leader), mark).range(request)), observer);
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        if (Dispatcher.WRITE_TRACE) {
            Dispatcher.stamp("put received");
        }
        if (emptyKey(request.getKey(), observer)) {
            return;
        }
        answer(dispatcher.write(EtcdCommand.Kind.PUT, request,
                (leader, mark) -> stub(KVGrpc.newFutureStub(leader), mark).put(request)), observer);
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
        if (emptyKey(request.getKey(), observer)) {
            return;
        }
        answer(dispatcher.write(EtcdCommand.Kind.DELETE_RANGE, request,
                (leader, mark) -> stub(KVGrpc.newFutureStub(leader), mark).deleteRange(request)), observer);
    }

    @Override
    public void txn(TxnRequest request, StreamObserver<TxnResponse> observer) {
        answer(dispatcher.write(EtcdCommand.Kind.TXN, request,
                (leader, mark) -> stub(KVGrpc.newFutureStub(leader), mark).txn(request)), observer);
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
        answer(dispatcher.write(EtcdCommand.Kind.COMPACT, request,
                (leader, mark) -> stub(KVGrpc.newFutureStub(leader), mark).compact(request)), observer);
    }

    /** etcd refuses a put or delete of the empty key before proposing it; true when it answered so. */
    private static boolean emptyKey(ByteString key, StreamObserver<?> observer) {
        if (key.isEmpty()) {
            observer.onError(EtcdError.EMPTY_KEY.exception());
            return true;
        }
        return false;
    }
}
