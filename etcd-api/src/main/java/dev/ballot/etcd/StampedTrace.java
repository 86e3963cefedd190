package dev.ballot.etcd;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The write trace's sink ({@code -Dballot.trace.writes=true}, docs/bench.md "Where a sequential write's time goes"):
 * a line stamped with System.nanoTime in microseconds (one monotonic clock for every process of a machine, so the
 * stages of one write line up across the members' logs). The caller pays for the stamp and a queue offer only: the
 * text is built and logged by one daemon thread that drains the queue every 20 ms, so the trace does not add a log
 * write to every stage it measures (through the logger directly it added about 35 us per line at load 3-6).
 */
public final class StampedTrace {
    private static final Logger LOG = Logger.getLogger("ballot.trace.failover");
    private static final ConcurrentLinkedQueue<Object[]> LINES = new ConcurrentLinkedQueue<>();
    private static volatile Thread writer;

    private StampedTrace() {
    }

    /** Queues {@code what} with the current stamp; the supplier runs later, on the trace's own thread. */
    public static void line(Supplier<String> what) {
        long at = System.nanoTime();
        LINES.add(new Object[] {what, at});
        if (writer == null) {
            startWriter();
        }
    }

    private static synchronized void startWriter() {
        if (writer != null) {
            return;
        }
        Thread t = new Thread(() -> {
            while (true) {
                Object[] l;
                while ((l = LINES.poll()) != null) {
                    @SuppressWarnings("unchecked")
                    Supplier<String> what = (Supplier<String>) l[0];
                    long at = (Long) l[1];
                    LOG.info("trace " + what.get() + " at_us=" + at / 1_000);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "ballot-trace-writer");
        t.setDaemon(true);
        t.start();
        writer = t;
    }
}
