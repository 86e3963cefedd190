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

  @Test
  void aZabLeaderStillSynchronisingIsNotElectedYet() {
    // role "leading" in the new epoch, no leader named yet (not serving): the election has not ended
    assertThat(MemberWatch.electedAfter(status("leading", 2, null, null), 1)).isFalse();
    assertThat(MemberWatch.electedAfter(status("leading", 2, "zab-5-4", "2026-12-06T23:00:00.412Z"), 1)).isTrue();
    assertThat(MemberWatch.electedAfter(status("leader", 3, "raft-3-1", "2026-12-06T23:00:00.412Z"), 3)).isFalse();
    assertThat(MemberWatch.electedAfter(status("follower", 4, "raft-3-1", "2026-12-06T23:00:00.412Z"), 3)).isFalse();
  }

  private static dev.ballot.nodeapi.StatusReport status(String role, long term, String leader, String since) {
    return new dev.ballot.nodeapi.StatusReport("c", "m", 1, role.startsWith("lead") && role.endsWith("ing") ? "zab" : "raft",
        role, term, leader, null, null, since, 1L, 1L, 1L, null, null, null, "v", null, null, null, null, null, null, null,
        null, java.util.List.of());
  }
}
