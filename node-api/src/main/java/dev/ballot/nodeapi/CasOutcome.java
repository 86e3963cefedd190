package dev.ballot.nodeapi;

/**
 * A compare-and-set that was decided: applied at {@code revision}, or refused (409 {@code compare_failed})
 * because the key held {@code current} (null: absent). Either way it committed nothing else.
 */
public record CasOutcome(boolean applied, long revision, String current) {
    public static CasOutcome applied(long revision) {
        return new CasOutcome(true, revision, null);
    }

    public static CasOutcome refused(String current) {
        return new CasOutcome(false, 0, current);
    }
}
