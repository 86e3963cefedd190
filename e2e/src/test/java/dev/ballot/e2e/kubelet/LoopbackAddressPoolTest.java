package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackAddressPoolTest {
  @Test
  void givesEachOwnerItsOwnStableAddressOutside127001() {
    LoopbackAddressPool pool = new LoopbackAddressPool();
    String a = pool.allocate("pod-a");
    String b = pool.allocate("pod-b");
    assertThat(a).isEqualTo("127.0.1.1");
    assertThat(b).isEqualTo("127.0.1.2");
    assertThat(pool.allocate("pod-a")).isEqualTo(a);
  }

  @Test
  void aRunStartsInItsOwnBlockSoTwoRunsOnOneMachineDoNotCollide() {
    assertThat(new LoopbackAddressPool(42).allocate("pod-a")).isEqualTo("127.0.42.1");
    assertThat(LoopbackAddressPool.forThisRun().allocate("pod-a")).doesNotStartWith("127.0.1.").endsWith(".1");
  }

  @Test
  void aReplacementPodGetsAFreshAddressNotTheOneJustReleased() {
    LoopbackAddressPool pool = new LoopbackAddressPool();
    String first = pool.allocate("uid-1");
    pool.release("uid-1");
    assertThat(pool.allocate("uid-2")).isNotEqualTo(first);
  }

  @Test
  void skipsNetworkAndBroadcastLikeOctetsAndNeverRepeatsALiveAddress() {
    LoopbackAddressPool pool = new LoopbackAddressPool();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 600; i++) {
      String ip = pool.allocate("p" + i);
      assertThat(seen.add(ip)).as("duplicate %s", ip).isTrue();
      assertThat(ip).doesNotEndWith(".0").doesNotEndWith(".255").doesNotStartWith("127.0.0.");
    }
  }

  @Test
  void wrapsAroundToReleasedAddressesWhenTheRangeIsExhausted() {
    LoopbackAddressPool pool = new LoopbackAddressPool();
    int usable = 255 * 254;
    for (int i = 0; i < usable; i++) {
      pool.allocate("p" + i);
    }
    pool.release("p7");
    assertThat(pool.allocate("late")).isEqualTo("127.0.1.8");
  }
}
