package dev.ballot.node.server;

import dev.ballot.etcd.StampedTrace;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A diagnostic, off unless the JVM runs with {@code -Dballot.trace.failover=true}: for {@link #WINDOW_MS} ms after each
 * change of role, term or leader, the driver logs what it does with the requests and messages of that moment
 * (proposals and their queueing delay, persists, commits, answers, messages received), one line each, so that the
 * members' logs (with millisecond timestamps: docs/bench.md) show where the time between an election and the first
 * acknowledged write goes. Off, it costs one volatile read per event.
 */
final class FailoverTrace {
    static final boolean ON = Boolean.getBoolean("ballot.trace.failover") || Boolean.getBoolean("ballot.trace.writes");
    /**
     * {@code -Dballot.trace.writes=true}: every event, not only after a role change, each line stamped with
     * {@code at_us=} (System.nanoTime in microseconds: one monotonic clock for every process of a machine), so that
     * the stages of one write line up across the members' logs (docs/bench.md, "Where a sequential write's time goes").
     */
    static final boolean ALWAYS = Boolean.getBoolean("ballot.trace.writes");
    static final long WINDOW_MS = 1_500;
    private static final Logger LOG = Logger.getLogger("ballot.trace.failover");
    private static volatile long windowEndNanos;

    private FailoverTrace() {
    }

    /** A role, term or leader change: the window opens (again) from now. */
    static void open(Supplier<String> what) {
        if (ON) {
            windowEndNanos = System.nanoTime() + WINDOW_MS * 1_000_000L;
            LOG.info(() -> "trace " + what.get());
        }
    }

    static boolean active() {
        return ALWAYS || ON && System.nanoTime() - windowEndNanos < 0;
    }

    static void event(Supplier<String> what) {
        if (ALWAYS) {
            StampedTrace.line(what);
        } else if (active()) {
            LOG.info(() -> "trace " + what.get());
        }
    }

    static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1fms", nanos / 1e6);
    }

    /** A message in one short line (entries counted, not printed). */
    static String describe(Object message) {
        String s = message.toString();
        int entries = s.indexOf("entries=[");
        if (entries >= 0) {
            int n = s.substring(entries).split("LogEntry\\[").length - 1;
            s = s.substring(0, entries) + "entries=" + n + "]";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
