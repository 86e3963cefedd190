package dev.ballot.e2e.journey;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusAuditTest {
  private static final Instant KILLED = Instant.parse("2026-12-08T00:52:02.062Z");

  /** One audit event as kube-apiserver v1.34 writes it (--audit-log-format json), trimmed to what is read. */
  private static String event(String stage, String name, int code, String leader, long term, String at) {
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"stage\":\"" + stage
        + "\",\"verb\":\"patch\",\"objectRef\":{\"resource\":\"electionclusters\",\"namespace\":\"ballot-e2e\",\"name\":\""
        + name + "\",\"apiGroup\":\"ballot.dev\",\"apiVersion\":\"v1alpha1\",\"subresource\":\"status\"},"
        + "\"responseStatus\":{\"metadata\":{},\"code\":" + code + "},\"responseObject\":{\"kind\":\"ElectionCluster\","
        + "\"status\":{\"leader\":" + (leader == null ? "null" : "\"" + leader + "\"") + ",\"term\":" + term + "}},"
        + "\"requestReceivedTimestamp\":\"2026-12-08T00:52:01.000000Z\",\"stageTimestamp\":\"" + at + "\"}";
  }

  @Test
  void theFirstStoredStatusNamingAHigherTermsLeader() {
    List<String> log = List.of(
        event("ResponseComplete", "zab-5", 200, "zab-5-2", 1, "2026-12-08T00:52:01.900000Z"), // before the kill
        event("ResponseComplete", "zab-5", 200, "zab-5-2", 1, "2026-12-08T00:52:02.480123Z"), // the old term
        event("ResponseComplete", "zab-5", 200, null, 2, "2026-12-08T00:52:02.500000Z"),      // no leader named
        event("ResponseComplete", "raft-3", 200, "raft-3-0", 9, "2026-12-08T00:52:02.510000Z"), // another cluster
        event("ResponseComplete", "zab-5", 409, "zab-5-4", 2, "2026-12-08T00:52:02.520000Z"),  // refused
        event("ResponseComplete", "zab-5", 200, "zab-5-4", 2, "2026-12-08T00:52:02.616543Z"),
        event("ResponseComplete", "zab-5", 200, "zab-5-4", 2, "2026-12-08T00:52:03.100000Z"),
        "{\"kind\":\"Event\",\"stage\":\"ResponseComp"); // the line being written

    assertThat(StatusAudit.firstNewLeader(log, "ballot-e2e", "zab-5", 1, KILLED))
        .contains(new StatusAudit.Stored(Instant.parse("2026-12-08T00:52:02.616543Z"), "zab-5-4", 2));
  }

  @Test
  void nothingWhenNoWriteNamesAHigherTerm() {
    List<String> log = List.of(
        event("ResponseComplete", "zab-5", 200, "zab-5-2", 1, "2026-12-08T00:52:02.480123Z"),
        event("ResponseComplete", "zab-5", 200, "zab-5-4", 2, "2026-12-08T00:52:01.480123Z")); // before the kill

    assertThat(StatusAudit.firstNewLeader(log, "ballot-e2e", "zab-5", 1, KILLED)).isEmpty();
  }
}
