package dev.ballot.etcd;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches off the live feed on this member (etcd's {@code etcd_debugging_mvcc_slow_watcher_total}): how many are
 * catching up from history now (slow clients, and watches that start in the past), and how often a watch fell behind
 * because its client did not read.
 */
public final class WatchStats {
    private final AtomicLong catchingUp = new AtomicLong();
    private final AtomicLong slow = new AtomicLong();

    void leftLiveFeed(boolean slowClient) {
        catchingUp.incrementAndGet();
        if (slowClient) {
            slow.incrementAndGet();
        }
    }

    void rejoinedLiveFeed() {
        catchingUp.decrementAndGet();
    }

    /** Watches catching up from history now. */
    public long catchingUp() {
        return catchingUp.get();
    }

    /** Times a watch left the live feed because its client did not read, since the member started. */
    public long slowTotal() {
        return slow.get();
    }
}
