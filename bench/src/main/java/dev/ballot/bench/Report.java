package dev.ballot.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Collects one value per (system, metric), prints each as a {@code bench system=... metric=... value=...}
 * line when it arrives, and renders the final table with Ballot/etcd and Ballot/ZooKeeper ratios.
 */
public final class Report {
    public static final String ETCD = "etcd";
    public static final String ZOOKEEPER = "zookeeper";

    private final PrintStream out;
    private final Map<String, Map<Metric, Double>> values = new LinkedHashMap<>();
    /** Every metric recorded, in the order first seen: the table's rows. */
    private final Set<Metric> metrics = new LinkedHashSet<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();

    public Report(PrintStream out) {
        this.out = out;
    }

    public synchronized void record(String system, Metric metric, double value) {
        values.computeIfAbsent(system, s -> new LinkedHashMap<>()).put(metric, value);
        metrics.add(metric);
        out.println("bench system=" + system + " metric=" + metric.key() + " value=" + format(value) + " loadavg="
                + loadAverage());
    }

    /** A system that could not be measured, or a metric it could not give; printed and kept for the table. */
    public synchronized void skip(String system, String why) {
        values.computeIfAbsent(system, s -> new LinkedHashMap<>());
        skipped.merge(system, why, (a, b) -> a + "; " + b);
        out.println("bench system=" + system + " skipped: " + why);
    }

    public synchronized Double value(String system, Metric metric) {
        Map<Metric, Double> m = values.get(system);
        return m == null ? null : m.get(metric);
    }

    /** Ballot's value over the peer's; null when either is missing or the peer's is zero. */
    public synchronized Double ratio(String ballot, String peer, Metric metric) {
        Double b = value(ballot, metric);
        Double p = value(peer, metric);
        return b == null || p == null || p == 0 ? null : b / p;
    }

    public synchronized String table() {
        List<String> systems = new ArrayList<>(values.keySet());
        List<String> ballots = systems.stream().filter(s -> s.startsWith("ballot")).toList();
        List<String> peers = systems.stream().filter(s -> s.equals(ETCD) || s.equals(ZOOKEEPER)).toList();
        List<String> header = new ArrayList<>();
        header.add("metric");
        header.add("better");
        header.addAll(systems);
        for (String b : ballots) {
            for (String p : peers) {
                header.add(b + "/" + p);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (Metric m : metrics) {
            List<String> row = new ArrayList<>();
            row.add(m.key());
            row.add(m.higherIsBetter() ? "higher" : "lower");
            for (String s : systems) {
                Double v = value(s, m);
                row.add(v == null ? "n/a" : format(v));
            }
            for (String b : ballots) {
                for (String p : peers) {
                    Double r = ratio(b, p, m);
                    row.add(r == null ? "n/a" : String.format(Locale.ROOT, "%.2f", r));
                }
            }
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                sb.append(i == 0 ? "" : "  ");
                sb.append(i < 2 ? pad(row.get(i), widths[i], false) : pad(row.get(i), widths[i], true));
            }
            sb.append('\n');
        }
        skipped.forEach((s, why) -> sb.append("skipped ").append(s).append(": ").append(why).append('\n'));
        return sb.toString();
    }

    /** The 1-minute load average, as every result line carries it: numbers taken under load are not results. */
    static String loadAverage() {
        return String.format(Locale.ROOT, "%.1f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    static String format(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
