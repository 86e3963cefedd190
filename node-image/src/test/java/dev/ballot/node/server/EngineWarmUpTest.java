package dev.ballot.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.engine.Protocol;
import dev.ballot.engine.sim.Simulation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EngineWarmUpTest {
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void theWarmUpRunsElectionsAndCommitsOfTheMembersProtocol(Protocol protocol) {
        Simulation.Outcome o = EngineWarmUp.run(protocol);

        assertThat(o).isNotNull();
        assertThat(o.elections()).as("a leader elected: the leader's code ran").isGreaterThanOrEqualTo(1);
        assertThat(o.commits()).as("entries committed: replication ran").isGreaterThanOrEqualTo(1);
        assertThat(o.violation()).isNull();
    }
}
