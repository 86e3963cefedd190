package dev.ballot.e2e.journey;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's election time from the new leader's own leaderSince, apart from when a poll saw it. */
class MemberWatchTest {
  private static final long KILLED = java.time.Instant.parse("2026-12-06T23:00:00.000Z").toEpochMilli();

  @Test
  void electedIsTheLeadersOwnLeaderSinceAfterTheFault() {
    assertThat(MemberWatch.electedMs("2026-12-06T23:00:00.412Z", KILLED)).isEqualTo(412);
    assertThat(MemberWatch.electedMs("2026-12-06T23:00:06.050Z", KILLED)).isEqualTo(6050);
  }

  @Test
  void aLeaderThatDoesNotSayGivesMinusOne() {
    assertThat(MemberWatch.electedMs(null, KILLED)).isEqualTo(-1);
    assertThat(MemberWatch.electedMs("yesterday", KILLED)).isEqualTo(-1);
  }
}
