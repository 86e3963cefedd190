package dev.ballot.operator.actions;

/** How far a one-off action got (status.actions[].phase). */
public enum ActionPhase {
    /** Seen and valid, waiting for its turn (another action runs). */
    Accepted,
    /** Started: the operator is carrying it out. */
    Running,
    /** Finished as asked. */
    Done,
    /** Not started, because it was unsafe or invalid when asked; nothing was changed. */
    Refused,
    /** Started but did not finish in time; what was done stays done. */
    Failed;

    /** Done, Refused or Failed: the request will not be looked at again. */
    public boolean finished() {
        return this == Done || this == Refused || this == Failed;
    }
}
