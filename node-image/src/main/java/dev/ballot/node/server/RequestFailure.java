package dev.ballot.node.server;

/**
 * Why the driver could not serve a request. {@code leaderHint} is the engine id of the leader when
 * known (0 otherwise), so the HTTP layer can forward or redirect.
 */
public final class RequestFailure extends RuntimeException {
    public enum Reason {
        /** This node is not the leader. */
        NOT_LEADER,
        /** The leader refuses for now (leadership transfer or membership change in flight). */
        BUSY,
        /** Leadership was lost before the outcome was known: the write may or may not have committed. */
        OUTCOME_UNKNOWN,
        /** The node is stopping or its driver died, and the request never reached the engine (or is a read). */
        STOPPED
    }

    private final Reason reason;
    private final long leaderHint;

    public RequestFailure(Reason reason, long leaderHint, String message) {
        super(message, null, false, false);
        this.reason = reason;
        this.leaderHint = leaderHint;
    }

    public Reason reason() {
        return reason;
    }

    public long leaderHint() {
        return leaderHint;
    }
}
