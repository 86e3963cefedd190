package dev.ballot.operator.desired;

/**
 * Which pods exist and how the node configuration lists them: ordinals {@code 0..pods-1}, the first {@code voters}
 * as voters (Raft {@code peers}, ZAB participants), the rest as non-voters (Raft {@code learners}, ZAB observers).
 * From the spec alone for a new cluster; while scaling, {@link dev.ballot.operator.scale.ScalePlanner} derives it
 * from the membership the members report, so the file never lists a voter the cluster has not committed.
 */
public record MemberLayout(int pods, int voters) {
    public MemberLayout {
        if (voters < 0 || pods < voters) {
            throw new IllegalArgumentException("a layout needs 0 <= voters <= pods, got " + voters + "/" + pods);
        }
    }

    /** The layout a spec describes: its voters, then its learners or observers. */
    public static MemberLayout of(EffectiveSpec spec) {
        return new MemberLayout(spec.pods(), spec.voters());
    }

    public boolean isVoter(int ordinal) {
        return ordinal < voters;
    }
}
