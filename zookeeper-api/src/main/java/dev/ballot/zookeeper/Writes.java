package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Routes writes and syncs through the log: on the leader straight to the engine, on a follower over the
 * {@link LeaderLink}. A write's answer is what this member's own data tree computed when it applied the txn
 * (every replica computes the same), found by the txn's request id.
 */
final class Writes {
    private static final long RETRY_MILLIS = 20;
    /** How often a call waiting on the leader checks whether this member has learnt of another one. */
    static final long LEADER_CHECK_MILLIS = 20;

    private final Consensus consensus;
    private final LeaderLink link;
    private final DataTree tree;
    private final Map<Long, CompletableFuture<TxnResult>> waiting = new ConcurrentHashMap<>();

    Writes(Consensus consensus, LeaderLink link, DataTree tree) {
        this.consensus = consensus;
        this.link = link;
        this.tree = tree;
    }

    /** Called by the tree's listener for every applied txn. */
    void applied(TxnResult r) {
        CompletableFuture<TxnResult> f = waiting.remove(r.requestId());
        if (f != null) {
            f.complete(r);
        }
    }

    /**
     * Proposes {@code txn} and waits for this member to apply it. Throws {@link Refused}: retryable kinds only when
     * nothing was appended before the deadline, OUTCOME_UNKNOWN when it may still apply.
     */
    TxnResult submit(Txn txn, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            try {
                return await(dispatch(txn), deadline);
            } catch (Refused r) {
                if (!r.retryable() || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS) > deadline) {
                    throw r;
                }
                Thread.sleep(RETRY_MILLIS);
            }
        }
    }

    /** The leader writes are handed to now, 0 when none. */
    long leader() {
        return consensus.leaderId();
    }

    /** A write handed to the leader and not yet answered: {@code call} is the leader's answer, {@code result} ours. */
    record Flight(Txn txn, long leader, CompletableFuture<Long> call, CompletableFuture<TxnResult> result) {
    }

    /**
     * Hands {@code txn} to the current leader once, without waiting for its commit: writes dispatched one after the
     * other from one thread reach the leader's log in that order (the engine's queue on the leader, the one
     * {@link LeaderLink} socket on a follower). {@link #await} waits for it.
     */
    Flight dispatch(Txn txn) {
        CompletableFuture<TxnResult> result = new CompletableFuture<>();
        waiting.put(txn.requestId(), result);
        long leader = consensus.leaderId();
        byte[] bytes = txn.encode();
        CompletableFuture<Long> call = leader == 0
                ? CompletableFuture.failedFuture(new Refused(Refused.Kind.NOT_LEADER, "no leader"))
                : leader == consensus.selfId() ? consensus.propose(bytes).thenApply(v -> 0L) : link.propose(leader, bytes);
        return new Flight(txn, leader, call, result);
    }

    /**
     * The applied result of a dispatched write, by {@code deadline} (System.nanoTime). Throws {@link Refused} as the
     * leader refused it (retryable: nothing was appended), or OUTCOME_UNKNOWN when it may still apply.
     */
    TxnResult await(Flight f, long deadline) throws InterruptedException {
        try {
            awaitLeader(f.leader(), f.call(), deadline);
            return f.result().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Refused r) {
                throw r;
            }
            throw new Refused(Refused.Kind.OUTCOME_UNKNOWN, String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new Refused(Refused.Kind.OUTCOME_UNKNOWN, f.call().isDone()
                    ? "committed but not applied here in time" : "the leader did not answer in time");
        } finally {
            waiting.remove(f.txn().requestId());
        }
    }

    /** ZooKeeper's sync: returns once this member applied everything the leader had committed when asked. */
    void sync(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long zxid = callLeader(deadline, true, leader -> leader == consensus.selfId()
                ? consensus.readBarrier() : link.barrier(leader));
        if (!tree.awaitApplied(zxid, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))) {
            throw new Refused(Refused.Kind.NOT_LEADER, "this member did not catch up with the leader in time");
        }
    }

    /**
     * Calls the leader until it answers, a retryable refusal has been retried up to the deadline, or the deadline.
     * {@code changesNothing}: the call (a sync barrier) can be repeated on another leader whatever became of it.
     */
    private long callLeader(long deadline, boolean changesNothing,
                            java.util.function.LongFunction<CompletableFuture<Long>> call) throws InterruptedException {
        while (true) {
            long leader = consensus.leaderId();
            Refused refusal;
            if (leader == 0) {
                refusal = new Refused(Refused.Kind.NOT_LEADER, "no leader");
            } else {
                try {
                    return awaitLeader(leader, call.apply(leader), deadline);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof Refused r)) {
                        throw new Refused(Refused.Kind.OUTCOME_UNKNOWN, String.valueOf(e.getCause()));
                    }
                    refusal = changesNothing && r.kind() == Refused.Kind.OUTCOME_UNKNOWN
                            ? new Refused(Refused.Kind.NOT_LEADER, r.getMessage()) : r;
                } catch (TimeoutException e) {
                    throw new Refused(Refused.Kind.OUTCOME_UNKNOWN, "the leader did not answer in time");
                }
            }
            if (!refusal.retryable() || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS) > deadline) {
                throw refusal;
            }
            Thread.sleep(RETRY_MILLIS);
        }
    }

    /**
     * The leader's answer to {@code call}. When this member learns of another leader meanwhile, a call over the link to
     * the old one is given up (the link to it closes, failing what waits on it): a frozen or cut-off leader never
     * answers, and every session handshake and write routed to it would otherwise wait out its whole deadline (the
     * session timeout) after the new leader was serving, as ZooKeeper's followers drop their clients when they lose
     * their leader (docs/bench.md, "The first write after an election").
     */
    private long awaitLeader(long leader, CompletableFuture<Long> call, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return call.get(Math.max(1, Math.min(left, TimeUnit.MILLISECONDS.toNanos(LEADER_CHECK_MILLIS))),
                        TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (left <= TimeUnit.MILLISECONDS.toNanos(LEADER_CHECK_MILLIS)) {
                    throw e;
                }
                long now = consensus.leaderId();
                if (leader != consensus.selfId() && now != 0 && now != leader) {
                    link.abandon(leader);
                }
            }
        }
    }
}
