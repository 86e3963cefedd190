package dev.ballot.engine.sim;

import dev.ballot.engine.sim.LinearizabilityChecker.Op;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ballot.engine.sim.LinearizabilityChecker.NEVER;
import static org.assertj.core.api.Assertions.assertThat;

class LinearizabilityCheckerTest {
    @Test
    void sequentialHistoryPasses() {
        assertThat(LinearizabilityChecker.check(List.of(Op.read(null, 0, 1), Op.write("a", 2, 3), Op.read("a", 4, 5),
                Op.write("b", 6, 7), Op.read("b", 8, 9)))).isEmpty();
    }

    @Test
    void staleReadAfterACompletedWriteFails() {
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, 1), Op.write("b", 2, 3), Op.read("a", 4, 5))))
                .isPresent().get().asString().contains("read->(a)");
    }

    @Test
    void readOfAValueNeverWrittenFails() {
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, 1), Op.read("z", 2, 3)))).isPresent();
    }

    @Test
    void concurrentOperationsMayOrderEitherWay() {
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, 10), Op.read("a", 1, 2), Op.read(null, 0, 1))))
                .isEmpty();
    }

    @Test
    void readsMustNotGoBackInTime() {
        // Both reads overlap the write, but once one saw "a" a later read may not see the old value.
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, 100), Op.read("a", 10, 20),
                Op.read(null, 30, 40)))).isPresent();
    }

    @Test
    void aWriteWithUnknownOutcomeMayOrMayNotHaveHappened() {
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, NEVER), Op.read(null, 5, 6)))).isEmpty();
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 0, NEVER), Op.read("a", 5, 6)))).isEmpty();
        assertThat(LinearizabilityChecker.check(List.of(Op.write("a", 10, NEVER), Op.read("a", 0, 5)))).isPresent();
    }
}
