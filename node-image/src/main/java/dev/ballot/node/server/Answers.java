package dev.ballot.node.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Client answers, completed off the driver thread. Completing a write's future runs whatever waits on it: the
 * etcd API's response encoding and gRPC write, an HTTP handler's wake-up. On the driver that was 17% of a
 * leader's driver samples under 64 writing clients (docs/bench.md), time in which it neither applied nor
 * replicated. The driver collects the completions of one Ready and hands them over in one task, so the hand-off
 * costs one wake-up per batch, not one per write. Driver thread only, except {@link #close()}.
 */
final class Answers implements AutoCloseable {
    private final ExecutorService thread;
    private List<Runnable> pending = new ArrayList<>();

    Answers(long nodeId) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ballot-answer-" + nodeId);
            t.setDaemon(true);
            return t;
        });
    }

    <T> void complete(CompletableFuture<T> future, T value) {
        pending.add(() -> future.complete(value));
    }

    /** Hands what this Ready completed to the answer thread (in order); at once here if it has stopped. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Runnable> batch = pending;
        pending = new ArrayList<>();
        try {
            long handed = System.nanoTime();
            thread.execute(() -> {
                long waited = System.nanoTime() - handed;
                FailoverTrace.event(() -> "answer thread took " + batch.size() + " after " + FailoverTrace.ms(waited));
                batch.forEach(Runnable::run);
                FailoverTrace.event(() -> "answer thread completed " + batch.size());
            });
        } catch (RejectedExecutionException stopped) {
            batch.forEach(Runnable::run);
        }
    }

    /** After the driver ended: what it completed last is still answered, then the thread ends. */
    @Override
    public void close() {
        flush();
        thread.shutdown();
    }
}
