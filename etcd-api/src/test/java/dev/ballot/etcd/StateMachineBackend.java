package dev.ballot.etcd;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A test backend over one real {@link EtcdStateMachine}: member 1 of cluster 7, reads answered at once from the
 * machine, no peers, no etcd address of its own (no warm-up call). Tests say how it proposes and who leads.
 */
abstract class StateMachineBackend implements EtcdBackend {
    final EtcdStateMachine sm = new EtcdStateMachine();
    long index;
    long requestIds;

    @Override
    public synchronized <T> CompletableFuture<T> readLocal(Function<EtcdStateMachine, T> query) {
        return CompletableFuture.completedFuture(query.apply(sm));
    }

    @Override
    public <T> CompletableFuture<T> readLinearizable(Function<EtcdStateMachine, T> query) {
        return readLocal(query);
    }

    @Override
    public long memberId() {
        return 1;
    }

    @Override
    public long clusterId() {
        return 7;
    }

    @Override
    public CompletableFuture<Long> leaderChangeFrom(long leaderId) {
        return new CompletableFuture<>();
    }

    @Override
    public String etcdTarget(long memberId) {
        return null;
    }

    @Override
    public List<Member> members() {
        return List.of();
    }

    @Override
    public synchronized long raftIndex() {
        return index;
    }

    @Override
    public synchronized long newRequestId() {
        return ++requestIds;
    }
}
