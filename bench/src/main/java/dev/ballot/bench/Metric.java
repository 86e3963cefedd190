package dev.ballot.bench;

/** What is measured, and which direction is better (for reading a ratio). */
public enum Metric {
    WRITE_SEQ_OPS("write_seq_ops_per_s", true),
    WRITE_SEQ_P50("write_seq_p50_ms", false),
    WRITE_SEQ_P99("write_seq_p99_ms", false),
    WRITE_CONC_OPS("write_conc_ops_per_s", true),
    WRITE_CONC_P50("write_conc_p50_ms", false),
    WRITE_CONC_P99("write_conc_p99_ms", false),
    READ_LIN_P50("read_lin_p50_ms", false),
    READ_LIN_P99("read_lin_p99_ms", false),
    FAILOVER_P50("failover_p50_ms", false),
    FAILOVER_MAX("failover_max_ms", false);

    private final String key;
    private final boolean higherIsBetter;

    Metric(String key, boolean higherIsBetter) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
    }

    public String key() {
        return key;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }
}
