package dev.ballot.operator.desired;

/**
 * Majority arithmetic. A small local copy of dev.ballot.engine.quorum.Quorum's counting rules, so the operator
 * does not depend on the engine module (the two must agree: floor(n/2)+1).
 */
public final class QuorumMath {
    private QuorumMath() {
    }

    /** Votes needed for a majority of {@code voters}. */
    public static int majority(int voters) {
        return voters / 2 + 1;
    }

    /** How many voters may be down with the rest still a majority, when all are up. */
    public static int faultTolerance(int voters) {
        return voters <= 0 ? 0 : voters - majority(voters);
    }

    /** How many more voters may fail now, with {@code healthy} up: never negative. */
    public static int remainingTolerance(int voters, int healthy) {
        return Math.max(0, healthy - majority(voters));
    }

    /** True when {@code healthy} voters form a majority of {@code voters}. */
    public static boolean hasQuorum(int voters, int healthy) {
        return voters > 0 && healthy >= majority(voters);
    }

    /** The PDB's maxUnavailable: voters that may be disrupted with a quorum left. 0 for 1 or 2 voters. */
    public static int maxUnavailable(int voters) {
        return faultTolerance(voters);
    }
}
