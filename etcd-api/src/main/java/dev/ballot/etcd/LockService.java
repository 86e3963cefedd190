package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.lock.LockGrpc;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.LockResponse;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.etcd.jetcd.api.lock.UnlockResponse;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;

import static dev.ballot.etcd.Dispatcher.answer;
import static dev.ballot.etcd.Dispatcher.stub;
import static dev.ballot.etcd.Dispatcher.waitingStub;

/**
 * etcd's v3lock service: Lock waits until the caller's key ({@code name/<lease hex>}, held by its lease) is the
 * oldest under the name; Unlock deletes the key. Served on the leader (a follower forwards the whole call).
 */
final class LockService extends LockGrpc.LockImplBase {
    private final Dispatcher dispatcher;
    private final Headers headers;
    private final Recipes recipes;

    LockService(Dispatcher dispatcher, Headers headers, Recipes recipes) {
        this.dispatcher = dispatcher;
        this.headers = headers;
        this.recipes = recipes;
    }

    @Override
    public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
        answer(dispatcher.route(() -> lockHere(request),
                (leader, mark) -> waitingStub(LockGrpc.newFutureStub(leader), mark).lock(request), null), observer);
    }

    private CompletableFuture<LockResponse> lockHere(LockRequest request) {
        return recipes.acquire(request.getName(), request.getLease(), ByteString.EMPTY,
                        mine -> CompletableFuture.completedFuture(null))
                .thenApply(mine -> LockResponse.newBuilder().setHeader(headers.of(mine.getModRevision()))
                        .setKey(mine.getKey()).build());
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
        DeleteRangeRequest delete = DeleteRangeRequest.newBuilder().setKey(request.getKey()).build();
        answer(dispatcher.<DeleteRangeResponse>write(EtcdCommand.Kind.DELETE_RANGE, delete,
                        (leader, mark) -> stub(io.etcd.jetcd.api.KVGrpc.newFutureStub(leader), mark).deleteRange(delete))
                .thenApply(d -> UnlockResponse.newBuilder().setHeader(d.getHeader()).build()), observer);
    }
}
