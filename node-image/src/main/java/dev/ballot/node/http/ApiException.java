package dev.ballot.node.http;

import dev.ballot.nodeapi.ApiError;

/**
 * A request the API refuses: the status and the error body as node-api defines it ({@link ApiError}: the stable
 * code, the field at fault, what is wrong and how to fix it), so what a handler throws is what the client reads.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final ApiError error;

    /** @param code a code of {@link dev.ballot.nodeapi.ErrorCode} (its wire name) */
    public ApiException(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = new ApiError(code, message, field, null, null, null);
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad_request", field, message);
    }

    public int status() {
        return status;
    }

    /** The body to answer with (before the leader is named, see {@link ApiError#withLeader}). */
    public ApiError error() {
        return error;
    }
}
