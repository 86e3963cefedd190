package dev.ballot.e2e.journey;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScenarioResultTest {
  @Test
  void printsOneParsableLineWithMeasurementsAndTheFirstReason() {
    ScenarioResult r = new ScenarioResult("leader-failover-raft").put("status_lag_ms", 412).put("acked_lost", 0);
    assertThat(r.line()).isEqualTo("scenario leader-failover-raft result=pass status_lag_ms=412 acked_lost=0");
    r.check(false, "status_lag_ms 2412 > 2000");
    r.fail("a later failure");
    assertThat(r.passed()).isFalse();
    assertThat(r.line()).isEqualTo("scenario leader-failover-raft result=fail status_lag_ms=412 acked_lost=0 "
        + "reason=\"status_lag_ms 2412 > 2000\"");
  }

  @Test
  void quotesValuesWithSpacesOrQuotesSoTheLineStaysOneToken() {
    String line = new ScenarioResult("reject-invalid").put("message", "spec.protocol: Unsupported value: \"Paxos\"").line();
    assertThat(line).endsWith("message=\"spec.protocol: Unsupported value: 'Paxos'\"");
    assertThat(line.lines()).hasSize(1);
  }
}
