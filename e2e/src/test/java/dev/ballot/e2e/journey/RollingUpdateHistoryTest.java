package dev.ballot.e2e.journey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.e2e.journey.RollingUpdateHistory.ClusterSeen;
import dev.ballot.e2e.journey.RollingUpdateHistory.LeaderClaim;
import dev.ballot.e2e.journey.RollingUpdateHistory.OperatorEvent;
import dev.ballot.e2e.journey.RollingUpdateHistory.PodSeen;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RollingUpdateHistoryTest {
  private static final Set<String> MEMBERS = Set.of("r-0", "r-1", "r-2");

  private static RollingUpdateHistory started() {
    RollingUpdateHistory h = new RollingUpdateHistory(MEMBERS);
    for (String m : MEMBERS) {
      h.add(new PodSeen(1, m, m + "-a", "old", true, false, false));
    }
    h.add(new LeaderClaim(2, "r-0", 1, 0));
    h.rolloutStarted(10);
    return h;
  }

  /** Deletes the pod, then brings its replacement up Ready on the new revision. */
  private static void restart(RollingUpdateHistory h, String pod, long at) {
    h.add(new PodSeen(at, pod, pod + "-a", "old", true, true, false));
    h.add(new PodSeen(at + 1, pod, pod + "-a", "old", false, true, true));
    h.add(new PodSeen(at + 2, pod, pod + "-b", "new", false, false, false));
    h.add(new PodSeen(at + 3, pod, pod + "-b", "new", true, false, false));
  }

  @Test
  void aCleanRollRestartsOneAtATimeAndMovesLeadershipFirst() {
    RollingUpdateHistory h = started();
    restart(h, "r-2", 20);
    restart(h, "r-1", 30);
    h.add(new OperatorEvent(40, "TransferringLeadership", "asked r-0 to hand leadership to a caught-up follower"));
    h.add(new LeaderClaim(45, "r-1", 2, 41));
    restart(h, "r-0", 50);

    assertThat(h.maxDown().max()).isEqualTo(1);
    assertThat(h.restarts("old")).isEqualTo(3);
    assertThat(h.leaderViolations()).isEmpty();
    assertThat(h.leaderMoves()).isEqualTo(1);
    assertThat(h.leaderChanges()).containsExactly("transfer r-0 -> r-1 at 41");
  }

  @Test
  void twoMembersDownAtOnceIsSeen() {
    RollingUpdateHistory h = started();
    h.add(new PodSeen(20, "r-2", "r-2-a", "old", true, true, false));
    h.add(new PodSeen(21, "r-1", "r-1-a", "old", false, false, false));

    assertThat(h.maxDown().max()).isEqualTo(2);
    assertThat(h.maxDown().down()).containsExactly("r-1", "r-2");
  }

  @Test
  void aLateDeleteOfTheReplacedPodDoesNotCountTheNewOneDown() {
    RollingUpdateHistory h = started();
    h.add(new PodSeen(20, "r-2", "r-2-b", "new", true, false, false));
    h.add(new PodSeen(21, "r-2", "r-2-a", "old", false, true, true));
    h.add(new PodSeen(22, "r-1", "r-1-a", "old", true, true, false));

    assertThat(h.maxDown().max()).isEqualTo(1);
  }

  @Test
  void deletingTheLeadersPodIsAViolationEvenWhenItsEventArrivesLate() {
    RollingUpdateHistory h = started();
    // the new leader's claim arrives after the deletion, but it took over (own clock) only after it
    h.add(new OperatorEvent(15, "TransferringLeadership", "asked r-0 to hand leadership to a caught-up follower"));
    restart(h, "r-0", 20);
    h.add(new LeaderClaim(40, "r-1", 2, 25));

    assertThat(h.leaderViolations()).singleElement().asString().contains("r-0 deleted at 20 while it led");
  }

  @Test
  void leadershipThatMovedByAnElectionBeforeTheDeletionIsNoViolation() {
    RollingUpdateHistory h = started();
    h.add(new LeaderClaim(16, "r-1", 2, 15));
    restart(h, "r-0", 20);

    assertThat(h.leaderViolations()).isEmpty();
    assertThat(h.leaderChanges()).containsExactly("election r-0 -> r-1 at 15");
  }

  @Test
  void quorumLostOnlyCountsDuringTheRollout() {
    RollingUpdateHistory h = new RollingUpdateHistory(MEMBERS);
    h.add(new ClusterSeen(5, 1, null, 1L, "False", 1, "True", "QuorumLost", "", ""));
    h.rolloutStarted(10);
    h.add(new ClusterSeen(20, 2, "r-0", 1L, "False", 2, "True", "NoFaultTolerance", "restart r-1", ""));
    assertThat(h.quorumLost()).isEmpty();

    h.add(new ClusterSeen(30, 2, null, 1L, "False", 2, "True", "QuorumLost", "", ""));
    assertThat(h.quorumLost()).hasSize(1);
  }
}
