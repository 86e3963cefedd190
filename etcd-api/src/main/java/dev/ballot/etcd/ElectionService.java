package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.CampaignResponse;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.ElectionGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaderKey;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaderResponse;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.ProclaimResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.ResignResponse;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;

import static dev.ballot.etcd.Dispatcher.answer;
import static dev.ballot.etcd.Dispatcher.stub;
import static dev.ballot.etcd.Dispatcher.waitingStub;

/**
 * etcd's v3election service: Campaign waits for leadership as Lock does (and proclaims its value if its key
 * already existed with another); Proclaim and Resign act only while the caller's key still has the create
 * revision it won with; Leader is the oldest key under the name; Observe streams every change of it from this
 * member's applied stream.
 */
final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private final Dispatcher dispatcher;
    private final Headers headers;
    private final Recipes recipes;

    ElectionService(Dispatcher dispatcher, Headers headers, Recipes recipes) {
        this.dispatcher = dispatcher;
        this.headers = headers;
        this.recipes = recipes;
    }

    @Override
    public void campaign(CampaignRequest request, StreamObserver<CampaignResponse> observer) {
        answer(dispatcher.route(() -> campaignHere(request),
                (leader, mark) -> waitingStub(ElectionGrpc.newFutureStub(leader), mark).campaign(request), null), observer);
    }

    private CompletableFuture<CampaignResponse> campaignHere(CampaignRequest request) {
        // a key left from an earlier campaign of the same lease keeps its place but takes the new value
        return recipes.acquire(request.getName(), request.getLease(), request.getValue(),
                        mine -> mine.getValue().equals(request.getValue()) ? CompletableFuture.completedFuture(null)
                                : proclaimHere(leaderKey(request, mine), request.getValue()))
                .thenApply(mine -> CampaignResponse.newBuilder().setHeader(headers.of(mine.getModRevision()))
                        .setLeader(leaderKey(request, mine)).build());
    }

    private static LeaderKey leaderKey(CampaignRequest request, KeyValue mine) {
        return LeaderKey.newBuilder().setName(request.getName()).setKey(mine.getKey())
                .setRev(mine.getCreateRevision()).setLease(request.getLease()).build();
    }

    @Override
    public void proclaim(ProclaimRequest request, StreamObserver<ProclaimResponse> observer) {
        answer(dispatcher.route(() -> proclaimHere(request.getLeader(), request.getValue())
                        .thenApply(t -> ProclaimResponse.newBuilder().setHeader(t.getHeader()).build()),
                (leader, mark) -> stub(ElectionGrpc.newFutureStub(leader), mark).proclaim(request)), observer);
    }

    private CompletableFuture<TxnResponse> proclaimHere(LeaderKey leader, ByteString value) {
        return stillLeader(leader, RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(leader.getKey())
                .setValue(value).setLease(leader.getLease())).build());
    }

    @Override
    public void resign(ResignRequest request, StreamObserver<ResignResponse> observer) {
        LeaderKey leader = request.getLeader();
        answer(dispatcher.route(() -> stillLeader(leader, RequestOp.newBuilder().setRequestDeleteRange(
                                DeleteRangeRequest.newBuilder().setKey(leader.getKey())).build())
                        .thenApply(t -> ResignResponse.newBuilder().setHeader(t.getHeader()).build()),
                (l, mark) -> stub(ElectionGrpc.newFutureStub(l), mark).resign(request)), observer);
    }

    /** {@code op} if the leader's key still has the create revision it won with, else "not leader". */
    private CompletableFuture<TxnResponse> stillLeader(LeaderKey leader, RequestOp op) {
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(leader.getKey()).setTarget(Compare.CompareTarget.CREATE)
                        .setCreateRevision(leader.getRev()))
                .addSuccess(op).build();
        return dispatcher.txnHere(txn).thenApply(t -> {
            if (!t.getSucceeded()) {
                throw EtcdError.ELECTION_NOT_LEADER.failure();
            }
            return t;
        });
    }

    @Override
    public void leader(LeaderRequest request, StreamObserver<LeaderResponse> observer) {
        ByteString prefix = Recipes.prefixOf(request.getName());
        answer(dispatcher.readLinearizable(sm -> {
            KeyValue holder = Recipes.holder(sm, prefix);
            if (holder == null) {
                throw EtcdError.ELECTION_NO_LEADER.failure();
            }
            return LeaderResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setKv(holder).build();
        }, (leader, mark) -> stub(ElectionGrpc.newFutureStub(leader), mark).leader(request)), observer);
    }

    @Override
    public void observe(LeaderRequest request, StreamObserver<LeaderResponse> responses) {
        ByteString prefix = Recipes.prefixOf(request.getName());
        ServerCallStreamObserver<LeaderResponse> out = (ServerCallStreamObserver<LeaderResponse>) responses;
        recipes.onDriver(sm -> {
            KeyValue[] last = {Recipes.holder(sm, prefix)};
            if (last[0] != null) {
                send(out, LeaderResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setKv(last[0]).build());
            }
            Runnable unwatch = recipes.watchPrefix(prefix, null, (self, events) -> {
                if (out.isCancelled()) {
                    self.run();
                    return;
                }
                KeyValue now = Recipes.holder(sm, prefix);
                if (now != null && !now.equals(last[0])) {
                    send(out, LeaderResponse.newBuilder().setHeader(headers.of(sm.store().currentRevision())).setKv(now).build());
                }
                last[0] = now;
            });
            out.setOnCancelHandler(() -> recipes.onDriver(s -> unwatch.run()));
        });
    }

    private static void send(ServerCallStreamObserver<LeaderResponse> out, LeaderResponse r) {
        synchronized (out) {
            if (!out.isCancelled()) {
                out.onNext(r);
            }
        }
    }
}
