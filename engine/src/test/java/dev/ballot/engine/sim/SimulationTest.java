package dev.ballot.engine.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SimulationTest {
    private static final int SEEDS = Integer.getInteger("ballot.sim.seeds", 200);

    @Test
    void raftKeepsEveryInvariantOverManySeeds() {
        SimulationRunner.Summary s = SimulationRunner.run(new SimulationRunner.Options("raft", SEEDS,
                Long.getLong("ballot.sim.first", 1), Integer.getInteger("ballot.sim.steps", SimulationRunner.DEFAULT_STEPS), null));
        System.out.println(s.line());
        s.failures().forEach(f -> System.out.println("seed " + f.seed() + " event " + f.event() + " " + f.detail()
                + "\n  replay: " + f.replay()));
        assertThat(s.failures()).isEmpty();
        assertThat(s.elections()).isGreaterThanOrEqualTo(SEEDS);
        assertThat(s.commits()).isGreaterThan(SEEDS * 10L);
    }

    @Test
    void theSameSeedReplaysExactly() {
        var a = new Simulation(new RaftAdapter(), 42, 1500, null).run();
        var b = new Simulation(new RaftAdapter(), 42, 1500, null).run();
        assertThat(a).isEqualTo(b);
    }
}
