package dev.ballot.node.http;

import java.util.Set;

/** A request the API refuses: the status, a stable error code, the field at fault and how to fix it. */
public final class ApiException extends RuntimeException {
    /**
     * The error codes that promise the request was not applied (docs/node-api.md, Errors). A write answered with
     * any other error (outcome_unknown, timeout, deadline, internal) may have taken effect.
     */
    public static final Set<String> NOT_APPLIED = Set.of("bad_json", "bad_request", "not_found", "unknown_member",
            "method_not_allowed", "compare_failed", "not_caught_up", "not_voter", "no_target", "transfer_refused",
            "member_conflict", "body_too_large", "key_too_large", "value_too_large", "too_many_subscribers", "no_leader",
            "leader_unreachable", "not_leader", "busy", "stopping", "needs_replacement");

    private final int status;
    private final String code;
    private final String field;

    public ApiException(int status, String code, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, "bad_request", field, message);
    }
}
