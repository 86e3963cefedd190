package dev.ballot.engine.zab;

import dev.ballot.engine.sim.SimulationRunner;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ZAB through the shared simulator: many seeds clean, and every mutant caught. */
class ZabSimulationTest {
    private static final int SEEDS = Integer.getInteger("ballot.sim.seeds", 200);
    private static final int STEPS = Integer.getInteger("ballot.sim.steps", SimulationRunner.DEFAULT_STEPS);

    @Test
    void zabKeepsEveryInvariantOverManySeeds() {
        SimulationRunner.Summary s = SimulationRunner.run(new SimulationRunner.Options("zab", SEEDS,
                Long.getLong("ballot.sim.first", 1), STEPS, null));
        System.out.println(s.line());
        s.failures().forEach(f -> System.out.println("seed " + f.seed() + " event " + f.event() + " " + f.detail()
                + "\n  replay: " + f.replay()));
        assertThat(s.failures()).isEmpty();
        assertThat(s.protocol()).isEqualTo("zab");
        assertThat(s.elections()).isGreaterThanOrEqualTo(SEEDS);
        assertThat(s.commits()).isGreaterThan(SEEDS * 10L);
    }

    @Test
    void everyZabMutantIsCaughtWithin300Seeds() {
        List<String> missed = new ArrayList<>();
        for (ZabMutant m : ZabMutant.values()) {
            int seeds = SimulationRunner.seedsToCatch("zab", m.wireName(), 300, 1, STEPS);
            System.out.println("zab mutant " + m.wireName() + " caught after " + seeds + " seeds");
            if (seeds < 0) {
                missed.add(m.wireName());
            }
        }
        assertThat(missed).as("mutants no seed caught").isEmpty();
    }
}
