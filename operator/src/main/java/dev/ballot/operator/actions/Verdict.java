package dev.ballot.operator.actions;

/**
 * What an action's rules say about it now: its phase, why, and the executor call to make (null: none this time).
 *
 * @param target the member the action turned out to be about (transfer to "any": the member chosen); null keeps it
 * @param podUid the target pod's uid to record when starting (restart); null keeps what was recorded
 */
public record Verdict(ActionPhase phase, String reason, String message, String target, String podUid,
                      ActionStep step) {
    public static Verdict refuse(String reason, String message) {
        return new Verdict(ActionPhase.Refused, reason, message, null, null, null);
    }

    public static Verdict done(String reason, String message) {
        return new Verdict(ActionPhase.Done, reason, message, null, null, null);
    }

    public static Verdict fail(String reason, String message) {
        return new Verdict(ActionPhase.Failed, reason, message, null, null, null);
    }

    public static Verdict run(String reason, String message, ActionStep step) {
        return new Verdict(ActionPhase.Running, reason, message, null, null, step);
    }

    public Verdict about(String target, String podUid) {
        return new Verdict(phase, reason, message, target, podUid, step);
    }
}
