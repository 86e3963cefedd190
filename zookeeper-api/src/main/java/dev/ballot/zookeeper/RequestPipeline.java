package dev.ballot.zookeeper;

import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection's requests in flight, in ZooKeeper's per-session order (its CommitProcessor): the connection's
 * reader keeps reading and hands each request in as it arrives (a write is already on its way to the leader by
 * then), and one thread answers them strictly in arrival order. So replies leave in xid order, and a read runs only
 * once every earlier write of its session has been applied on this member (it sees them).
 *
 * <p>At most {@code maxOutstanding} requests wait here; the reader asks {@link #admit} before it reads the next
 * request, so at the bound it stops reading the socket (TCP then pushes back on the client) and nothing is dropped.
 */
final class RequestPipeline {
    private static final Logger LOG = Logger.getLogger(RequestPipeline.class.getName());
    /** ZooKeeper's default globalOutstandingLimit (1000 requests a server queues before it stops reading), per connection. */
    static final int DEFAULT_MAX_OUTSTANDING = 1000;
    private static final Step STOP = () -> { };

    /** Answers one request; runs on the pipeline's thread once every earlier request has been answered. */
    @FunctionalInterface
    interface Step {
        void answer() throws IOException, InterruptedException;
    }

    private final int maxOutstanding;
    private final Semaphore room;
    private final LinkedBlockingQueue<Step> steps = new LinkedBlockingQueue<>();
    private volatile boolean stopped;
    private Thread thread;

    RequestPipeline(int maxOutstanding) {
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("maxOutstanding must be at least 1, was " + maxOutstanding);
        }
        this.maxOutstanding = maxOutstanding;
        this.room = new Semaphore(maxOutstanding);
    }

    /** Starts answering; {@code onFailure} runs (once) when a step fails, and the pipeline stops. */
    void start(String name, Runnable onFailure) {
        thread = new Thread(() -> run(onFailure), name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits until fewer than the bound are in flight; false once stopped (the reader then stops too). */
    boolean admit() throws InterruptedException {
        room.acquire();
        return !stopped;
    }

    /** Queues the answer of a request {@link #admit} made room for. */
    void add(Step step) {
        steps.add(step);
    }

    /** Requests admitted and not yet answered. */
    int outstanding() {
        return maxOutstanding - room.availablePermits();
    }

    /** Stops answering: what is queued is dropped (the connection is closing), a waiting reader is let go. */
    void stop() {
        stopped = true;
        steps.clear();
        steps.add(STOP);
        room.release(maxOutstanding);
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }

    private void run(Runnable onFailure) {
        try {
            while (!stopped) {
                Step s = steps.take();
                if (s == STOP) {
                    break;
                }
                s.answer();
                room.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "answering a ZooKeeper request failed; closing the connection", e);
            if (!stopped) {
                onFailure.run();
            }
        } finally {
            stopped = true;
            room.release(maxOutstanding);
        }
    }
}
