package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * etcd's server-side concurrency recipes (clientv3/concurrency, as its v3lock and v3election services run
 * them): a waiter puts {@code prefix/<lease in hex>} with its lease unless it exists, and holds the lock or
 * leadership once every key under the prefix created before its own is gone. Waiting is on this member's
 * applied stream.
 */
final class Recipes {
    private final EtcdBackend backend;
    private final Dispatcher dispatcher;
    private final WatchHub hub;
    private long nextInternalId = Long.MIN_VALUE;

    Recipes(EtcdBackend backend, Dispatcher dispatcher, WatchHub hub) {
        this.backend = backend;
        this.dispatcher = dispatcher;
        this.hub = hub;
    }

    static ByteString prefixOf(ByteString name) {
        return name.concat(ByteString.copyFromUtf8("/"));
    }

    static ByteString keyOf(ByteString prefix, long lease) {
        return prefix.concat(ByteString.copyFromUtf8(Long.toHexString(lease)));
    }

    /** The end of the range of keys starting with {@code prefix} (etcd's GetPrefixRangeEnd). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    /** Put our key unless it exists; completes with our key as stored (its create revision orders the waiters). */
    CompletableFuture<KeyValue> enqueue(ByteString prefix, long lease, ByteString value) {
        ByteString key = keyOf(prefix, lease);
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE).setCreateRevision(0))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value).setLease(lease)))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .build();
        return dispatcher.txnHere(txn)
                .thenApply(t -> t.getResponses(t.getSucceeded() ? 1 : 0).getResponseRange().getKvs(0));
    }

    /**
     * What Lock and Campaign do on the leader: queue the caller's key under {@code name} (held by {@code lease}),
     * run {@code whileQueued} on it (Campaign proclaims a changed value there), then wait until every older key
     * under the name is gone. Completes with the caller's key as first stored.
     */
    CompletableFuture<KeyValue> acquire(ByteString name, long lease, ByteString value,
                                        Function<KeyValue, CompletableFuture<?>> whileQueued) {
        ByteString prefix = prefixOf(name);
        return enqueue(prefix, lease, value).thenCompose(mine -> whileQueued.apply(mine)
                .thenCompose(v -> awaitPredecessorsGone(prefix, mine.getCreateRevision()))
                .thenApply(v -> mine));
    }

    /** Completes once no key under {@code prefix} has a create revision below {@code myCreateRev}. */
    CompletableFuture<Void> awaitPredecessorsGone(ByteString prefix, long myCreateRev) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        backend.readLocal(sm -> {
            RangeRequest older = RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                    .setMaxCreateRevision(myCreateRev - 1).setLimit(1).build();
            if (sm.store().range(older).getKvsCount() == 0) {
                done.complete(null);
                return null;
            }
            watchPrefix(prefix, WatchCreateRequest.FilterType.NOPUT, (self, events) -> {
                if (done.isDone() || sm.store().range(older).getKvsCount() == 0) {
                    self.run();
                    done.complete(null);
                }
            });
            return null;
        });
        return done;
    }

    /** The lowest-created key under {@code prefix} now (the holder), read on the driver thread. */
    static KeyValue holder(EtcdStateMachine sm, ByteString prefix) {
        RangeResponse r = sm.store().range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).setLimit(1).build());
        return r.getKvsCount() == 0 ? null : r.getKvs(0);
    }

    interface PrefixListener {
        /** {@code unwatch} removes this watcher; called on the driver thread. */
        void changed(Runnable unwatch, List<Event> events);
    }

    /** An internal watcher on the prefix, driver thread only (call from inside a read). Returns its remover. */
    Runnable watchPrefix(ByteString prefix, WatchCreateRequest.FilterType filter, PrefixListener listener) {
        WatchCreateRequest.Builder req = WatchCreateRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix));
        if (filter != null) {
            req.addFilters(filter);
        }
        long id = nextInternalId++;
        Runnable[] remove = new Runnable[1];
        WatchHub.Sink sink = (watchId, revision, events) -> listener.changed(remove[0], events);
        remove[0] = () -> hub.remove(sink, id);
        hub.add(new WatchHub.Watcher(id, req.build(), 0, sink));
        return remove[0];
    }

    /** Runs {@code action} on the driver thread with the state machine (for watch registration). */
    void onDriver(Consumer<EtcdStateMachine> action) {
        backend.readLocal(sm -> {
            action.accept(sm);
            return null;
        });
    }
}
