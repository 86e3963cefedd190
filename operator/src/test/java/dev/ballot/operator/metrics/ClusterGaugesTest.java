package dev.ballot.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.QuorumStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.api.TlsStatus;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-cluster gauges as Prometheus scrapes them: names, labels, values, and gone with the cluster. */
class ClusterGaugesTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ClusterGauges gauges = new ClusterGauges(registry);

    @Test
    void aClustersStatusIsScrapedUnderPrometheusNames() {
        gauges.record("ns", "raft-3", "uid-1", status("raft-3-1", 7L, 3, 2, 0, "restart raft-3-2", "Running",
                "Done", "Done"));
        String text = registry.scrape();
        String l = "{cluster=\"raft-3\",namespace=\"ns\",}";
        assertThat(text).contains(
                "# TYPE ballot_operator_cluster_leader_present gauge",
                "ballot_operator_cluster_leader_present" + l + " 1.0",
                "ballot_operator_cluster_term" + l + " 7.0",
                "ballot_operator_cluster_voters" + l + " 3.0",
                "ballot_operator_cluster_voters_up" + l + " 2.0",
                "ballot_operator_cluster_fault_tolerance" + l + " 0.0",
                "ballot_operator_cluster_rollout_in_progress" + l + " 1.0",
                "ballot_operator_cluster_actions{cluster=\"raft-3\",namespace=\"ns\",phase=\"Running\",} 1.0",
                "ballot_operator_cluster_actions{cluster=\"raft-3\",namespace=\"ns\",phase=\"Done\",} 2.0",
                "ballot_operator_cluster_actions{cluster=\"raft-3\",namespace=\"ns\",phase=\"Refused\",} 0.0",
                "ballot_operator_cluster_reconcile_errors_total" + l + " 0.0",
                "ballot_operator_cluster_last_reconcile_error_timestamp_seconds" + l + " 0.0");

        gauges.record("ns", "raft-3", "uid-1", status(null, 7L, 3, 1, 0, "", "Done"));
        gauges.reconcileFailed("ns", "raft-3", "uid-1", Instant.parse("2026-12-06T12:00:00Z"));
        text = registry.scrape();
        assertThat(text).contains("ballot_operator_cluster_leader_present" + l + " 0.0",
                "ballot_operator_cluster_term" + l + " 0.0",
                "ballot_operator_cluster_rollout_in_progress" + l + " 0.0",
                "ballot_operator_cluster_reconcile_errors_total" + l + " 1.0",
                "ballot_operator_cluster_last_reconcile_error_timestamp_seconds" + l + " 1.7965584E9");
    }

    @Test
    void theFirstCertificateExpiryIsTheEarlierOfTheCaAndTheNextCertificateAndNaNWithoutTls() {
        String l = "{cluster=\"tls\",namespace=\"ns\",}";
        gauges.record("ns", "tls", "uid-t", status("tls-0", 1L, 1, 1, 0, ""));
        assertThat(registry.scrape()).contains(
                "# TYPE ballot_operator_cluster_certificate_expiry_timestamp_seconds gauge",
                "ballot_operator_cluster_certificate_expiry_timestamp_seconds" + l + " NaN");

        ElectionClusterStatus withTls = status("tls-0", 1L, 1, 1, 0, "");
        withTls.tls = new TlsStatus();
        withTls.tls.caNotAfter = "2029-12-05T12:00:00Z";
        withTls.tls.nextExpiring = "tls-1";
        withTls.tls.nextNotAfter = "2027-03-06T12:00:00Z";
        gauges.record("ns", "tls", "uid-t", withTls);
        assertThat(registry.scrape()).contains("ballot_operator_cluster_certificate_expiry_timestamp_seconds" + l
                + " " + (double) Instant.parse("2027-03-06T12:00:00Z").getEpochSecond());

        withTls.tls.caNotAfter = "2027-01-01T00:00:00Z"; // a CA about to expire comes first
        withTls.tls.nextNotAfter = "not a time";
        gauges.record("ns", "tls", "uid-t", withTls);
        assertThat(registry.scrape()).contains("ballot_operator_cluster_certificate_expiry_timestamp_seconds" + l
                + " " + (double) Instant.parse("2027-01-01T00:00:00Z").getEpochSecond());
    }

    @Test
    void aDeletedClustersSeriesGoAndStayGone() {
        gauges.record("ns", "a", "uid-a", status("a-0", 2L, 1, 1, 0, ""));
        gauges.record("ns", "b", "uid-b", status("b-0", 3L, 1, 1, 0, ""));
        gauges.forget("ns", "a", "uid-a");
        gauges.record("ns", "a", "uid-a", status("a-0", 2L, 1, 1, 0, "")); // a reconcile that began before
        assertThat(registry.scrape()).doesNotContain("cluster=\"a\"").contains("cluster=\"b\"");

        gauges.record("ns", "a", "uid-a2", status("a-0", 1L, 1, 1, 0, "")); // created again
        assertThat(registry.scrape()).contains("ballot_operator_cluster_term{cluster=\"a\",namespace=\"ns\",} 1.0");
    }

    private static ElectionClusterStatus status(String leader, Long term, int voters, int healthy, int tolerance,
                                                String step, String... actionPhases) {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.leader = leader;
        s.term = term;
        s.quorum = new QuorumStatus();
        s.quorum.voters = voters;
        s.quorum.healthy = healthy;
        s.quorum.faultTolerance = tolerance;
        s.rollout = new RolloutStatus(step, "");
        s.actions = java.util.Arrays.stream(actionPhases).map(p -> {
            ActionStatus a = new ActionStatus();
            a.phase = p;
            return a;
        }).toList();
        if (s.actions.isEmpty()) {
            s.actions = List.of();
        }
        return s;
    }
}
