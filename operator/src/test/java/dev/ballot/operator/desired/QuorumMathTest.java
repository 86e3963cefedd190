package dev.ballot.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuorumMathTest {
    @ParameterizedTest(name = "{0} voters: majority {1}, tolerate {2}, PDB maxUnavailable {3}")
    @CsvSource({
        "1, 1, 0, 0",
        "2, 2, 0, 0",
        "3, 2, 1, 1",
        "4, 3, 1, 1",
        "5, 3, 2, 2",
        "6, 4, 2, 2",
        "7, 4, 3, 3"})
    void arithmetic(int voters, int majority, int tolerance, int maxUnavailable) {
        assertThat(QuorumMath.majority(voters)).isEqualTo(majority);
        assertThat(QuorumMath.faultTolerance(voters)).isEqualTo(tolerance);
        assertThat(QuorumMath.maxUnavailable(voters)).isEqualTo(maxUnavailable);
        // The PDB never lets so many voters go that the rest lose quorum.
        assertThat(QuorumMath.hasQuorum(voters, voters - QuorumMath.maxUnavailable(voters))).isTrue();
    }

    @ParameterizedTest(name = "{1}/{0} healthy: quorum {2}, can lose {3} more")
    @CsvSource({
        "3, 3, true, 1",
        "3, 2, true, 0",
        "3, 1, false, 0",
        "5, 3, true, 0",
        "5, 2, false, 0",
        "4, 2, false, 0",
        "0, 0, false, 0"})
    void remaining(int voters, int healthy, boolean quorum, int remaining) {
        assertThat(QuorumMath.hasQuorum(voters, healthy)).isEqualTo(quorum);
        assertThat(QuorumMath.remainingTolerance(voters, healthy)).isEqualTo(remaining);
    }
}
