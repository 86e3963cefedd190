package dev.ballot.operator.scale;

/** The scale planner's next single step, whom it concerns, and what blocks it. */
public record ScaleStep(Kind kind, String target, String step, String blockedBy) {
    /** What the operator does. */
    public enum Kind {
        /** The membership matches spec.replicas: nothing to scale. */
        NONE,
        /** Scaling, but something must happen first; {@code blockedBy} says what. */
        WAIT,
        /** Scaling cannot go on without a human (an unsupported spec, a membership the operator did not make). */
        BLOCKED,
        /** Change the StatefulSet's replicas (the layout carries the count): create the next pod or drop a removed one. */
        RESIZE,
        /** Add the target pod to the configuration as a Raft learner or ZAB observer. */
        ADD_MEMBER,
        /** Make the caught-up target a voter. */
        PROMOTE,
        /** The target leads and is about to be removed: move leadership off it first. */
        TRANSFER_LEADERSHIP,
        /** Remove the target from the configuration. */
        REMOVE_MEMBER
    }

    public static final ScaleStep NONE = new ScaleStep(Kind.NONE, null, "", "");

    static ScaleStep waitFor(String step, String blockedBy) {
        return new ScaleStep(Kind.WAIT, null, step, blockedBy);
    }

    static ScaleStep blocked(String step, String blockedBy) {
        return new ScaleStep(Kind.BLOCKED, null, step, blockedBy);
    }

    static ScaleStep act(Kind kind, String target, String step) {
        return new ScaleStep(kind, target, step, "");
    }

    /** True while the membership and spec.replicas differ (or a leftover joining member is cleaned up). */
    public boolean scaling() {
        return kind != Kind.NONE;
    }
}
