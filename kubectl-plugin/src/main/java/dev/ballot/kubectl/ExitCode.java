package dev.ballot.kubectl;

/** The plugin's exit codes (docs/kubectl-plugin.md), one meaning each. */
public enum ExitCode {
    /** status printed; the action is Done. */
    OK(0),
    /** The cluster does not exist, or the API server could not be reached or refused the call. */
    ERROR(1),
    /** The operator refused the action (status.actions[].phase Refused): nothing was done. */
    REFUSED(2),
    /** The action started but did not finish (phase Failed); what was done stays done. */
    FAILED(3),
    /** No final answer within --timeout (the operator may be down, or the action still running). */
    TIMEOUT(4),
    /** Bad command line. */
    USAGE(64);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The exit code of an action in {@code phase} (a finished phase), or null while it is not finished. */
    public static ExitCode ofPhase(String phase) {
        return switch (phase == null ? "" : phase) {
            case "Done" -> OK;
            case "Refused" -> REFUSED;
            case "Failed" -> FAILED;
            default -> null;
        };
    }
}
