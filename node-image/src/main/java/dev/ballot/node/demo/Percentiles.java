package dev.ballot.node.demo;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles, the definition that never invents a value that was not measured. */
public final class Percentiles {
    private Percentiles() {
    }

    public static long of(List<Long> values, double percentile) {
        if (values.isEmpty()) {
            return 0;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}
