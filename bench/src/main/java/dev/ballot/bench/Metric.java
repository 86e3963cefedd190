package dev.ballot.bench;

/**
 * What is measured, and which direction is better (for reading a ratio). The fixed ones are constants; the
 * per-client-count and per-fault ones are made by {@link #concurrent} and {@link #failover}, so the table
 * grows with the {@code --clients} and {@code --faults} given.
 */
public record Metric(String key, boolean higherIsBetter) {
    public static final Metric WRITE_SEQ_OPS = new Metric("write_seq_ops_per_s", true);
    public static final Metric WRITE_SEQ_P50 = new Metric("write_seq_p50_ms", false);
    public static final Metric WRITE_SEQ_P99 = new Metric("write_seq_p99_ms", false);
    public static final Metric READ_LIN_P50 = new Metric("read_lin_p50_ms", false);
    public static final Metric READ_LIN_P99 = new Metric("read_lin_p99_ms", false);
    /** The largest resident set (VmRSS) of the 3 members after the write and read load. */
    public static final Metric MEMBER_RSS_MAX = new Metric("member_rss_max_mib", false);
    /** The largest proportional set (Pss, shared pages split between the processes sharing them). */
    public static final Metric MEMBER_PSS_MAX = new Metric("member_pss_max_mib", false);

    /** {@code write_c<clients>_<what>}: ops_per_s (higher is better), p50_ms or p99_ms. */
    public static Metric concurrent(int clients, String what) {
        return new Metric("write_c" + clients + "_" + what, what.endsWith("per_s"));
    }

    /** {@code <fault>_<phase>_<percentile>_ms}: phase {@code elected} (server side) or {@code ack} (first write). */
    public static Metric failover(String fault, String phase, int percentile) {
        return new Metric(fault + "_" + phase + "_p" + percentile + "_ms", false);
    }
}
