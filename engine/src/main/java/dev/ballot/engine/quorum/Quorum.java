package dev.ballot.engine.quorum;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/** Majority arithmetic shared by Raft and ZAB. Pure functions over voter sets. */
public final class Quorum {
    private Quorum() {
    }

    /** Votes needed for a majority of {@code voters}: floor(n/2) + 1 (1 for an empty set is never reached). */
    public static int majority(int voters) {
        return voters / 2 + 1;
    }

    /** How many voters may fail with the rest still a majority. */
    public static int faultTolerance(int voters) {
        return voters == 0 ? 0 : voters - majority(voters);
    }

    /** True when the voters among {@code granted} form a majority of {@code voters}. */
    public static boolean isMajority(Collection<Long> voters, Collection<Long> granted) {
        int count = 0;
        for (Long v : voters) {
            if (granted.contains(v)) {
                count++;
            }
        }
        return !voters.isEmpty() && count >= majority(voters.size());
    }

    /**
     * The highest index that a majority of voters has reached: sort the voters' match indexes
     * descending and take the one at position majority-1. Voters missing from the map count as 0.
     */
    public static long committedIndex(Collection<Long> voters, Map<Long, Long> matchIndex) {
        if (voters.isEmpty()) {
            return 0;
        }
        // a loop, not a stream: this runs on every acknowledgement a leader receives, and a member's first election
        // would otherwise load and link the stream classes while it wins (docs/bench.md, "The freeze path")
        long[] matches = new long[voters.size()];
        int i = 0;
        for (Long v : voters) {
            matches[i++] = matchIndex.getOrDefault(v, 0L);
        }
        Arrays.sort(matches);
        return matches[matches.length - majority(matches.length)];
    }
}
