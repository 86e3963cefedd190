package dev.ballot.engine;

/**
 * The answer to a proposal. When accepted, the command will commit at {@code index} in
 * {@code term} unless leadership is lost first (then a different entry may take that index).
 */
public record Proposal(Outcome outcome, long index, long term, long leaderHint) {
    public enum Outcome {
        ACCEPTED,
        /** This node is not the leader; {@code leaderHint} names the leader when known (0 otherwise). */
        NOT_LEADER,
        /** The leader refuses for now: a leadership transfer or a membership change is in flight. */
        BUSY
    }

    public static Proposal accepted(long index, long term) {
        return new Proposal(Outcome.ACCEPTED, index, term, 0);
    }

    public static Proposal notLeader(long leaderHint) {
        return new Proposal(Outcome.NOT_LEADER, 0, 0, leaderHint);
    }

    public static Proposal busy(long leaderHint) {
        return new Proposal(Outcome.BUSY, 0, 0, leaderHint);
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
