package dev.ballot.engine.sim;

import dev.ballot.engine.zab.ZabMutant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ZAB's tick-granular chaos run (stricter on liveness than {@link Simulation}: after healing, every server must
 * apply a new write), checked with the simulator's own invariants. The shared simulator runs ZAB over many more seeds.
 */
class ZabChaosTest {
    @Test
    void seedsRunWithoutViolations() {
        int seeds = Integer.getInteger("ballot.zab.chaos.seeds", 30);
        List<String> failures = new ArrayList<>();
        for (long seed = 1; seed <= seeds; seed++) {
            ZabChaos.Result r = ZabChaos.run(seed, Set.of());
            if (!r.ok()) {
                failures.add(r.violation());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void everyMutantIsCaught() {
        List<String> missed = new ArrayList<>();
        for (ZabMutant m : ZabMutant.values()) {
            boolean caught = false;
            for (long seed = 1; seed <= 60 && !caught; seed++) {
                caught = !ZabChaos.run(seed, Set.of(m)).ok();
            }
            if (!caught) {
                missed.add(m.wireName());
            }
        }
        assertThat(missed).isEmpty();
    }
}
