package dev.ballot.operator.reconciler;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Where one reconcile's time went, phase by phase, logged when the reconcile was slow. The status lags the members by
 * at least one reconcile (JOSDK runs one at a time per cluster and queues the rest), so a slow phase is what a user
 * sees as a late leader in {@code kubectl get}; this line says which phase it was without a profiler.
 */
final class ReconcileClock {
    /** Slower than this is logged at INFO; every reconcile is logged at DEBUG. */
    static final Duration SLOW = Duration.ofMillis(300);
    /** A reconcile that began this soon after a member's change is logged at INFO too. */
    static final Duration AFTER_CHANGE = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(ReconcileClock.class);

    private final long started = System.nanoTime();
    private final long sinceMemberChangeMs;
    private long last = started;
    private final StringBuilder phases = new StringBuilder();

    /** @param lastMemberChangeNanos when a member last reported a change of the cluster's story (0: none seen) */
    ReconcileClock(long lastMemberChangeNanos) {
        this.sinceMemberChangeMs = lastMemberChangeNanos == 0 ? -1 : (started - lastMemberChangeNanos) / 1_000_000;
    }

    /** Ends the phase called {@code phase}. */
    void mark(String phase) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ", ").append(phase).append(' ').append((now - last) / 1_000_000);
        last = now;
    }

    /**
     * Logs the reconcile of {@code cluster}: at INFO when slower than {@link #SLOW} or when it began within
     * {@link #AFTER_CHANGE} of a member's change (the few reconciles of a failover, whose timing is the status's lag),
     * else at DEBUG.
     */
    void log(String cluster) {
        long totalMs = (System.nanoTime() - started) / 1_000_000;
        boolean afterChange = sinceMemberChangeMs >= 0 && sinceMemberChangeMs < AFTER_CHANGE.toMillis();
        Logger.Level level = totalMs > SLOW.toMillis() || afterChange ? Logger.Level.INFO : Logger.Level.DEBUG;
        if (LOG.isEnabled(level)) {
            LOG.logf(level, "reconcile of %s took %d ms (%s); it began %s", cluster, totalMs, phases,
                    sinceMemberChangeMs < 0 ? "with no member change seen yet"
                            : sinceMemberChangeMs + " ms after the last member change");
        }
    }
}
