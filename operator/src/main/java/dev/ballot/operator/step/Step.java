package dev.ballot.operator.step;

/**
 * The next single step of a rolling update, of scaling, or nothing: what the operator does, to whom, what the status
 * names it ({@code step}), and what holds it back ({@code blockedBy}, empty when nothing does). The decision computes
 * it; an executor carries it out.
 */
public record Step(Kind kind, String target, String step, String blockedBy) {
    /** What the operator does. */
    public enum Kind {
        /** Nothing to do: every pod runs the current template, or the membership matches spec.replicas. */
        NONE,
        /** Something must happen first; {@code blockedBy} says what. */
        WAIT,
        /** Cannot go on without a human (an unsupported spec, a membership the operator did not make). */
        BLOCKED,
        /** Rollout: delete the target pod so the StatefulSet recreates it from the current template. */
        RESTART,
        /** Ask the target (the leader) to hand leadership to a caught-up member. */
        TRANSFER_LEADERSHIP,
        /** Scaling: change the StatefulSet's replicas (the layout carries the count). */
        RESIZE,
        /** Scaling: add the target pod to the configuration as a Raft learner or ZAB observer. */
        ADD_MEMBER,
        /** Scaling: make the caught-up target a voter. */
        PROMOTE,
        /** Scaling: remove the target from the configuration. */
        REMOVE_MEMBER
    }

    public static final Step NONE = new Step(Kind.NONE, null, "", "");

    public static Step waitFor(String step, String blockedBy) {
        return new Step(Kind.WAIT, null, step, blockedBy);
    }

    public static Step blocked(String step, String blockedBy) {
        return new Step(Kind.BLOCKED, null, step, blockedBy);
    }

    public static Step act(Kind kind, String target, String step) {
        return new Step(kind, target, step, "");
    }

    public static Step restart(String target) {
        return act(Kind.RESTART, target, "restart " + target);
    }

    public static Step transfer(String leader) {
        return act(Kind.TRANSFER_LEADERSHIP, leader, "transfer leadership from " + leader);
    }

    /** Something is under way or pending (for scaling: the membership and spec.replicas differ). */
    public boolean pending() {
        return kind != Kind.NONE;
    }

    /** A step an executor carries out (not NONE, WAIT or BLOCKED). */
    public boolean acts() {
        return kind != Kind.NONE && kind != Kind.WAIT && kind != Kind.BLOCKED;
    }
}
