package dev.ballot.engine.sim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every deliberate bug must be caught: proof that the simulator's checkers can fail. */
class MutantsTest {
    static List<String> mutants() {
        return new RaftAdapter().mutants();
    }

    @ParameterizedTest
    @MethodSource("mutants")
    void caughtWithin300Seeds(String mutant) {
        int seeds = SimulationRunner.seedsToCatch("raft", mutant, 300, 1, SimulationRunner.DEFAULT_STEPS);
        System.out.println("mutant " + mutant + " caught after " + seeds + " seeds");
        assertThat(seeds).as("seeds needed to catch " + mutant).isBetween(1, 300);
    }
}
