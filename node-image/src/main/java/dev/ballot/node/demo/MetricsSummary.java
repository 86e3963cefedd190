package dev.ballot.node.demo;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A one-line digest of a node's Prometheus text, for the demo's diagnostics. */
final class MetricsSummary {
    private MetricsSummary() {
    }

    static String of(String prometheusText) {
        Map<String, Double> v = new LinkedHashMap<>();
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith("#") || line.isBlank() || line.contains("{")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            try {
                v.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // not a sample line
            }
        }
        return String.format(Locale.ROOT, "elections=%.0f leader_changes=%.0f fsyncs=%.0f fsync_avg_ms=%.2f persist_avg_ms=%.2f commit_avg_ms=%.2f",
                v.getOrDefault("ballot_elections_total", 0.0), v.getOrDefault("ballot_leader_changes_total", 0.0),
                v.getOrDefault("ballot_fsync_latency_seconds_count", 0.0),
                avgMs(v, "ballot_fsync_latency_seconds"), avgMs(v, "ballot_persist_latency_seconds"),
                avgMs(v, "ballot_commit_latency_seconds"));
    }

    private static double avgMs(Map<String, Double> v, String histogram) {
        double count = v.getOrDefault(histogram + "_count", 0.0);
        return count == 0 ? 0 : v.getOrDefault(histogram + "_sum", 0.0) / count * 1000;
    }
}
