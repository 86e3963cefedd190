package dev.ballot.engine.quorum;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Quorum arithmetic against naive definitions (the idea of etcd's quorum/quick_test.go). */
class QuorumPropertiesTest {

    /** The largest index such that a majority of voters have a match at or above it, found by trying every candidate. */
    private static long naiveCommitted(List<Long> voters, Map<Long, Long> match) {
        long best = 0;
        for (long candidate : match.values()) {
            long holders = voters.stream().filter(v -> match.getOrDefault(v, 0L) >= candidate).count();
            if (holders >= voters.size() / 2 + 1 && candidate > best) {
                best = candidate;
            }
        }
        return best;
    }

    @Property(tries = 2000)
    void committedIndexMatchesNaive(@ForAll @Size(min = 1, max = 9) List<@LongRange(min = 0, max = 20) Long> matches,
                                    @ForAll @IntRange(min = 0, max = 3) int missing) {
        List<Long> voters = new ArrayList<>();
        Map<Long, Long> match = new HashMap<>();
        for (int i = 0; i < matches.size(); i++) {
            voters.add((long) i + 1);
            match.put((long) i + 1, matches.get(i));
        }
        for (int i = 0; i < missing; i++) {
            voters.add(100L + i);
        }
        match.put(999L, 1000L); // a non-voter never counts
        assertThat(Quorum.committedIndex(voters, match)).isEqualTo(naiveCommitted(voters, match));
    }

    @Property
    void majorityAndToleranceAreConsistent(@ForAll @IntRange(min = 1, max = 50) int n) {
        assertThat(Quorum.majority(n) * 2).isGreaterThan(n);
        assertThat((Quorum.majority(n) - 1) * 2).isLessThanOrEqualTo(n);
        assertThat(Quorum.faultTolerance(n) + Quorum.majority(n)).isEqualTo(n);
    }

    @Test
    void isMajorityCountsOnlyVoters() {
        assertThat(Quorum.isMajority(List.of(1L, 2L, 3L), List.of(1L, 2L))).isTrue();
        assertThat(Quorum.isMajority(List.of(1L, 2L, 3L), List.of(1L, 7L, 8L))).isFalse();
        assertThat(Quorum.isMajority(List.of(), List.of(1L))).isFalse();
        assertThat(Quorum.committedIndex(List.of(), Map.of())).isZero();
    }
}
