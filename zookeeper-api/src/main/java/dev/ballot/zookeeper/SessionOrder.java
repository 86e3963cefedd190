package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The order of one connection's writes against each other and against its reads, while many are in flight (ZooKeeper
 * keeps it in its CommitProcessor): writes reach the leader in the order the client sent them, a write is not handed
 * to the leader while an earlier read is unanswered (that read must not see it), and a write is never retried or sent
 * to a new leader past an earlier one.
 */
final class SessionOrder {
    private final Writes writes;
    private final Object lock = new Object();
    private Writes.Flight last;
    /** Requests other than writes queued and not yet answered. */
    private int unansweredReads;

    SessionOrder(Writes writes) {
        this.writes = writes;
    }

    /** A request other than a write was queued: later writes wait until it is {@link #readAnswered}. */
    void readQueued() {
        synchronized (lock) {
            unansweredReads++;
        }
    }

    void readAnswered() {
        synchronized (lock) {
            unansweredReads--;
            lock.notifyAll();
        }
    }

    /**
     * Hands {@code txn} to the leader after every earlier write of the connection and once every earlier read is
     * answered. Throws when the leader changed while earlier writes are with the former one: this one must not commit
     * under the new leader ahead of them (the connection then closes, as a ZooKeeper server drops its clients when it
     * loses its leader).
     */
    Writes.Flight dispatch(Txn txn, BooleanSupplier closed) throws IOException, InterruptedException {
        synchronized (lock) {
            while (unansweredReads > 0 && !closed.getAsBoolean()) {
                lock.wait(100);
            }
            if (last != null && !last.result().isDone() && last.leader() != writes.leader()) {
                throw new IOException("the leader changed with writes of session 0x" + Long.toHexString(txn.sessionId())
                        + " in flight");
            }
            last = writes.dispatch(txn);
            return last;
        }
    }

    /**
     * The applied result of a dispatched write. A refusal that appended nothing is retried only while no later write
     * of the connection is on its way (a retry must not overtake it); otherwise, and when the outcome is unknown, the
     * {@link Refused} is thrown.
     */
    TxnResult outcome(Writes.Flight flight, long deadline) throws InterruptedException {
        Refused refusal;
        try {
            return writes.await(flight, deadline);
        } catch (Refused e) {
            refusal = e;
        }
        synchronized (lock) { // holds back the next dispatch until the retry is in the log
            if (refusal.retryable() && last == flight) {
                return writes.submit(flight.txn(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            }
        }
        throw refusal;
    }
}
