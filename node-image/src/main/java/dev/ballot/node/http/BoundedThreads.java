package dev.ballot.node.http;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of at most {@code max} daemon threads that queues what they cannot take yet and lets idle threads end.
 * The node's HTTP handlers and forwards used unbounded cached pools: one thread per request in flight, 90-155
 * threads on a member that served 64 clients, each with its stack and malloc arena share (25-30 MiB resident,
 * docs/bench.md "Memory"). Bounded, a burst waits in the queue instead of growing the process; idle, the pool
 * shrinks to nothing after {@code idle}.
 */
final class BoundedThreads {
    private BoundedThreads() {
    }

    static ThreadPoolExecutor create(String name, int max, long idleMillis) {
        if (max < 1) {
            throw new IllegalArgumentException(name + ": at least one thread, got " + max);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, idleMillis, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
