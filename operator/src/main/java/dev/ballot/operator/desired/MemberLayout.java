package dev.ballot.operator.desired;

import java.util.Set;
import java.util.TreeSet;

/**
 * Which pods exist and how the node configuration lists them: ordinals {@code 0..pods-1}, the first {@code voters}
 * as voters (Raft {@code peers}, ZAB participants), the rest as non-voters (Raft {@code learners}, ZAB observers).
 * From the spec alone for a new cluster; while scaling, {@link dev.ballot.operator.scale.ScalePlanner} derives it
 * from the membership the members report, so the file never lists a voter the cluster has not committed.
 * {@code rejoining}: voters' ordinals listed as non-voters in place, while a member that lost its storage is replaced
 * ({@link dev.ballot.operator.replace.ReplacementPlanner}); they keep their slot, so their member id.
 */
public record MemberLayout(int pods, int voters, Set<Integer> rejoining) {
    public MemberLayout {
        if (voters < 0 || pods < voters) {
            throw new IllegalArgumentException("a layout needs 0 <= voters <= pods, got " + voters + "/" + pods);
        }
        rejoining = Set.copyOf(rejoining);
        if (rejoining.stream().anyMatch(o -> o < 0 || o >= voters)) {
            throw new IllegalArgumentException("rejoining members must be voters' ordinals, got " + rejoining);
        }
    }

    public MemberLayout(int pods, int voters) {
        this(pods, voters, Set.of());
    }

    /** The same pods, with the member at {@code ordinal} listed as a learner/observer in its voter's slot. */
    public MemberLayout rejoin(int ordinal) {
        Set<Integer> r = new TreeSet<>(rejoining);
        r.add(ordinal);
        return new MemberLayout(pods, voters, r);
    }

    /** The layout a spec describes: its voters, then its learners or observers. */
    public static MemberLayout of(EffectiveSpec spec) {
        return new MemberLayout(spec.pods(), spec.voters());
    }

    /** Listed as a voter: one of the first {@code voters} and not rejoining after a lost volume. */
    public boolean isVoter(int ordinal) {
        return ordinal < voters && !rejoining.contains(ordinal);
    }
}
