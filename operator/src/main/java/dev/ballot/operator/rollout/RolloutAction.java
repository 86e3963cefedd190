package dev.ballot.operator.rollout;

/** The planner's answer: what to do next, to whom, and what blocks it. */
public record RolloutAction(Kind kind, String target, String step, String blockedBy) {
    /** What the operator does. */
    public enum Kind {
        /** Every present pod runs the current template. */
        NONE,
        /** Something must happen first; {@code blockedBy} says what. */
        WAIT,
        /** Delete the target pod so the StatefulSet recreates it from the current template. */
        RESTART,
        /** Ask the target (the leader) to hand leadership to a caught-up follower. */
        TRANSFER_LEADERSHIP
    }

    public static final RolloutAction NONE = new RolloutAction(Kind.NONE, null, "", "");

    static RolloutAction waitFor(String step, String blockedBy) {
        return new RolloutAction(Kind.WAIT, null, step, blockedBy);
    }

    static RolloutAction restart(String target) {
        return new RolloutAction(Kind.RESTART, target, "restart " + target, "");
    }

    static RolloutAction transfer(String leader) {
        return new RolloutAction(Kind.TRANSFER_LEADERSHIP, leader, "transfer leadership from " + leader, "");
    }
}
