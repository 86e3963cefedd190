package dev.ballot.nodeapi;

import java.io.IOException;

/**
 * The node answered with an error status. Transport failures (refused, reset, client-side timeout) stay
 * the JDK's own {@link IOException}s, so a caller can tell "the node said no" from "no answer".
 */
public final class NodeApiException extends IOException {
    private final int status;
    private final ApiError error;

    public NodeApiException(int status, ApiError error) {
        super(status + " " + error.error() + ": " + error.message());
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public ApiError error() {
        return error;
    }

    public ErrorCode code() {
        return error.code();
    }

    /** True when the request may or may not have taken effect (see {@link ErrorCode#mayHaveApplied()}). */
    public boolean mayHaveApplied() {
        return code().mayHaveApplied();
    }
}
