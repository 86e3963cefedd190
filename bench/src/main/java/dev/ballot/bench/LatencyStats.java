package dev.ballot.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Latency samples in nanoseconds, summarised with nearest-rank percentiles: the reported value is
 * always one that was measured, never an interpolation between two.
 */
public final class LatencyStats {
    private final long[] sorted;

    private LatencyStats(long[] sorted) {
        this.sorted = sorted;
    }

    public static LatencyStats ofNanos(List<Long> samples) {
        long[] a = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return new LatencyStats(a);
    }

    public int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile in nanoseconds; throws when there are no samples (nothing to report). */
    public long percentileNanos(double percentile) {
        if (percentile <= 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + percentile);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no samples: nothing was acknowledged");
        }
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    public double percentileMs(double percentile) {
        return percentileNanos(percentile) / 1e6;
    }

    public double maxMs() {
        return percentileMs(100);
    }
}
