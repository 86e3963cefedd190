package dev.ballot.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportTest {
    @Test
    void printsOneLinePerMeasurementAndRatiosInTheTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report r = new Report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        r.record("ballot-raft", Metric.WRITE_SEQ_P99, 12.0);
        r.record("etcd", Metric.WRITE_SEQ_P99, 8.0);
        r.record("zookeeper", Metric.WRITE_SEQ_P99, 24.0);
        r.record("ballot-raft", Metric.WRITE_SEQ_OPS, 250.0);

        String lines = bytes.toString(StandardCharsets.UTF_8);
        assertThat(lines).contains("bench system=ballot-raft metric=write_seq_p99_ms value=12.00 loadavg=")
                .contains("bench system=ballot-raft metric=write_seq_ops_per_s value=250 loadavg=");
        assertThat(r.ratio("ballot-raft", "etcd", Metric.WRITE_SEQ_P99)).isEqualTo(1.5);
        assertThat(r.ratio("ballot-raft", "zookeeper", Metric.WRITE_SEQ_P99)).isEqualTo(0.5);
        assertThat(r.ratio("ballot-raft", "etcd", Metric.WRITE_SEQ_OPS)).isNull();

        String table = r.table();
        assertThat(table.lines().findFirst().orElseThrow())
                .contains("ballot-raft/etcd").contains("ballot-raft/zookeeper");
        assertThat(table.lines().filter(l -> l.startsWith("write_seq_p99_ms")).findFirst().orElseThrow())
                .contains("lower").contains("1.50").contains("0.50");
        assertThat(table.lines().filter(l -> l.startsWith("write_seq_ops_per_s")).findFirst().orElseThrow())
                .contains("higher").contains("250").contains("n/a");
    }

    @Test
    void aSkippedPeerShowsInTheTableWithItsReason() {
        Report r = new Report(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        r.record("ballot-raft", Metric.READ_LIN_P50, 2.0);
        r.skip("etcd", "etcd not found on PATH");
        assertThat(r.ratio("ballot-raft", "etcd", Metric.READ_LIN_P50)).isNull();
        assertThat(r.table()).contains("skipped etcd: etcd not found on PATH");
    }

    @Test
    void metricsMadePerClientCountAndFaultAreRowsInTheOrderFirstRecorded() {
        Report r = new Report(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        r.record("ballot-raft", Metric.concurrent(64, "ops_per_s"), 900.0);
        r.record("etcd", Metric.concurrent(64, "ops_per_s"), 1800.0);
        r.record("ballot-raft", Metric.failover("freeze", "elected", 99), 300.0);
        r.record("etcd", Metric.failover("freeze", "elected", 99), 250.0);

        assertThat(Metric.concurrent(64, "ops_per_s").higherIsBetter()).isTrue();
        assertThat(Metric.concurrent(64, "p99_ms").higherIsBetter()).isFalse();
        assertThat(r.ratio("ballot-raft", "etcd", Metric.concurrent(64, "ops_per_s"))).isEqualTo(0.5);
        assertThat(r.ratio("ballot-raft", "etcd", Metric.failover("freeze", "elected", 99))).isEqualTo(1.2);
        List<String> rows = r.table().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
        assertThat(rows).containsExactly("write_c64_ops_per_s", "freeze_elected_p99_ms");
    }
}
