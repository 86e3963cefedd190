package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProbeTrackerTest {
  private final ProbeTracker.Spec spec = new ProbeTracker.Spec(2_000, 1_000, 500, 2, 3);

  @Test
  void waitsForTheInitialDelayThenRunsOncePerPeriod() {
    ProbeTracker t = new ProbeTracker(spec, 10_000, false);
    assertThat(t.due(11_999)).isFalse();
    assertThat(t.due(12_000)).isTrue();
    t.record(true, 12_000);
    assertThat(t.due(12_999)).isFalse();
    assertThat(t.due(13_000)).isTrue();
  }

  @Test
  void aProbeInFlightIsNotSentAgainAndItsPeriodCountsFromItsStart() {
    ProbeTracker t = new ProbeTracker(spec, 0, false);
    t.begin(2_000);
    assertThat(t.due(5_000)).isFalse();
    t.record(true, 5_000);
    assertThat(t.due(5_000)).isTrue();
  }

  @Test
  void readinessNeedsSuccessThresholdConsecutiveSuccesses() {
    ProbeTracker t = new ProbeTracker(spec, 0, false);
    assertThat(t.record(true, 2_000)).isFalse();
    assertThat(t.passing()).isFalse();
    assertThat(t.record(false, 3_000)).isFalse();
    assertThat(t.record(true, 4_000)).isFalse();
    assertThat(t.record(true, 5_000)).isTrue();
    assertThat(t.passing()).isTrue();
  }

  @Test
  void livenessFailsOnlyAfterFailureThresholdConsecutiveFailures() {
    ProbeTracker t = new ProbeTracker(spec, 0, true);
    t.record(false, 2_000);
    t.record(false, 3_000);
    t.record(true, 4_000);
    t.record(false, 5_000);
    t.record(false, 6_000);
    assertThat(t.passing()).isTrue();
    assertThat(t.record(false, 7_000)).isTrue();
    assertThat(t.passing()).isFalse();
  }

  @Test
  void kubernetesDefaultsFillAbsentFieldsAndNonsenseIsRefused() {
    assertThat(ProbeTracker.Spec.of(null, null, null, null, null))
        .isEqualTo(new ProbeTracker.Spec(0, 10_000, 1_000, 1, 3));
    assertThatThrownBy(() -> new ProbeTracker.Spec(0, 0, 1, 1, 1))
        .hasMessageContaining("periodMs");
  }
}
