package dev.ballot.node.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writers that never stop trying: each writes unique keys, retrying a key until it is acknowledged,
 * and records every acknowledgement with the time its successful attempt started and ended.
 */
public final class WriteLoad implements AutoCloseable {
    /** One acknowledged write. */
    public record Ack(String key, String value, long attemptStartNanos, long ackNanos) {
    }

    private final KvClient client;
    private final List<Ack> acks = new ArrayList<>(); // guarded by itself
    private final AtomicLong lastAckNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final String runId;
    private volatile boolean running = true;
    private final java.util.concurrent.ConcurrentHashMap<String, long[]> tally = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long tallySince = Long.MAX_VALUE;

    public WriteLoad(KvClient client, int writers, String runId) {
        this.client = client;
        this.runId = runId;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer), "demo-writer-" + w);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    public WriteLoad start() {
        threads.forEach(Thread::start);
        return this;
    }

    private void write(int writer) {
        long seq = 0;
        while (running) {
            String key = runId + "/w" + writer + "/" + seq;
            String value = "v" + seq + "-" + key.hashCode();
            while (running) {
                long start = System.nanoTime();
                String outcome = client.attemptPut(key, value);
                if (start >= tallySince) {
                    long ms = (System.nanoTime() - start) / 1_000_000;
                    tally.merge(outcome, new long[] {1, ms}, (a, b) -> new long[] {a[0] + b[0], Math.max(a[1], b[1])});
                }
                if (outcome.equals("200")) {
                    long now = System.nanoTime();
                    synchronized (acks) {
                        acks.add(new Ack(key, value, start, now));
                    }
                    lastAckNanos.accumulateAndGet(now, Math::max);
                    break;
                }
                pause(); // a failed attempt fails in microseconds (refused, no leader): do not burn the CPU the election needs
            }
            seq++;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The first acknowledgement of an attempt that started at or after {@code sinceNanos}, or -1. */
    public long firstAckStartedAfter(long sinceNanos) {
        long best = -1;
        synchronized (acks) {
            // Acks are appended in nearly ack-time order; scan back until well before sinceNanos.
            for (int i = acks.size() - 1; i >= 0; i--) {
                Ack a = acks.get(i);
                if (a.ackNanos() < sinceNanos - 1_000_000_000L) {
                    break;
                }
                if (a.attemptStartNanos() >= sinceNanos && (best < 0 || a.ackNanos() < best)) {
                    best = a.ackNanos();
                }
            }
        }
        return best;
    }

    /** Start counting attempt outcomes (count and slowest ms per outcome) from {@code sinceNanos}. */
    public void startTally(long sinceNanos) {
        tally.clear();
        tallySince = sinceNanos;
    }

    /** The outcomes counted since {@link #startTally}, e.g. {@code 200=1/12ms 503=40/3ms refused=9/1ms}. */
    public String tally() {
        tallySince = Long.MAX_VALUE;
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(tally).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=')
                .append(v[0]).append('/').append(v[1]).append("ms"));
        return sb.toString();
    }

    public long lastAckNanos() {
        return lastAckNanos.get();
    }

    public List<Ack> acks() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(5_000);
        }
    }
}
