package dev.ballot.engine.sim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SimulationTest {
    private static final int SEEDS = Integer.getInteger("ballot.sim.seeds", 200);

    @Test
    void raftKeepsEveryInvariantOverManySeeds() {
        SimulationRunner.Summary s = SimulationRunner.run(new SimulationRunner.Options("raft", SEEDS,
                Long.getLong("ballot.sim.first", 1), Integer.getInteger("ballot.sim.steps", SimulationRunner.DEFAULT_STEPS), null));
        System.out.println(s.line() + " " + s.stats());
        s.failures().forEach(f -> System.out.println("seed " + f.seed() + " event " + f.event() + " " + f.detail()
                + "\n  replay: " + f.replay()));
        assertThat(s.failures()).isEmpty();
        assertThat(s.elections()).isGreaterThanOrEqualTo(SEEDS);
        assertThat(s.commits()).isGreaterThan(SEEDS * 10L);
        // The run must really exercise what it claims to check.
        assertThat(s.stats()).containsKeys("snapshots_installed", "configs_committed", "config_add_learner",
                "config_promote", "config_remove", "transfers_started", "reads_ok", "writes_ok", "crashes");
    }

    @Test
    void theSameSeedReplaysExactly() {
        var a = new Simulation(new RaftAdapter(), 42, 1500, null).run();
        var b = new Simulation(new RaftAdapter(), 42, 1500, null).run();
        assertThat(a).isEqualTo(b);
        assertThat(new Simulation(new RaftAdapter(), 43, 1500, null).run()).isNotEqualTo(a);
    }

    @Test
    void zabHasOneObviousPlaceToPlugIn() {
        try {
            ProtocolAdapter zab = ProtocolAdapters.forName("zab");
            assertThat(zab.protocol().wireName()).isEqualTo("zab");
        } catch (UnsupportedOperationException notYet) {
            assertThat(notYet).hasMessage("ZAB adapter not built yet");
        }
    }

    @Test
    void badOptionsAreRefusedWithTheFlag() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SimulationRunner.Options("raft", 0, 1, 10, null))
                .hasMessageContaining("--seeds");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulationRunner.run(
                new SimulationRunner.Options("raft", 1, 1, 10, "no-such-bug"))).hasMessageContaining("--mutant list");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProtocolAdapters.forName("paxos"))
                .hasMessageContaining("raft or zab");
    }
}
