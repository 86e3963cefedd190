package dev.ballot.nodeapi;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code error} codes of docs/node-api.md and what each means for a request: {@link #mayHaveApplied()}
 * is true exactly for the codes the page calls "unknown" (the write or admin change may or may not have taken
 * effect: retry idempotently, or read); every other code means it was not applied (reads change nothing).
 */
public enum ErrorCode {
    BAD_JSON("bad_json", false),
    BAD_REQUEST("bad_request", false),
    /** Key absent ({@code field: key}) or no endpoint at that path ({@code field: path}). */
    NOT_FOUND("not_found", false),
    UNKNOWN_MEMBER("unknown_member", false),
    METHOD_NOT_ALLOWED("method_not_allowed", false),
    /** CAS expectation not met; {@link ApiError#currentValue()} holds what was found. */
    COMPARE_FAILED("compare_failed", false),
    NOT_CAUGHT_UP("not_caught_up", false),
    NOT_VOTER("not_voter", false),
    NO_TARGET("no_target", false),
    TRANSFER_REFUSED("transfer_refused", false),
    MEMBER_CONFLICT("member_conflict", false),
    BODY_TOO_LARGE("body_too_large", false),
    /** A key over the node's {@code max_key_bytes} ({@code field: key}). */
    KEY_TOO_LARGE("key_too_large", false),
    /** A value over the node's {@code max_value_bytes} ({@code field: value}, or {@code expect} in a CAS). */
    VALUE_TOO_LARGE("value_too_large", false),
    /** TLS on: the endpoint needs a client certificate from the cluster's CA and none was presented. */
    UNAUTHENTICATED("unauthenticated", false),
    /** TLS on: the certificate's identity may not call this endpoint (admin needs the operator's). */
    FORBIDDEN("forbidden", false),
    /** A write that would grow the keyspace past the node's {@code quota_bytes} (etcd's NOSPACE). */
    NO_SPACE("no_space", false),
    /** {@code /v1/status/events}: the node already streams to {@code max_event_subscribers} subscribers. */
    TOO_MANY_SUBSCRIBERS("too_many_subscribers", false),
    NO_LEADER("no_leader", false),
    /** A follower could not connect to the leader, or knows it cannot: the request never left it. */
    LEADER_UNREACHABLE("leader_unreachable", false),
    /** A forwarded request reached a node that is not the leader either; also the body of a 307 to the leader. */
    NOT_LEADER("not_leader", false),
    /** The leader refuses proposals for now (transfer or membership change in flight). */
    BUSY("busy", false),
    /** The node is shutting down and did not take the request. */
    STOPPING("stopping", false),
    /**
     * A write or admin change: leadership was lost while it waited, the node stopped after proposing it, or a
     * forward failed after it was sent.
     */
    OUTCOME_UNKNOWN("outcome_unknown", true),
    /** A write or admin change got no answer within the deadline; it may still take effect. */
    TIMEOUT("timeout", true),
    /** A leadership transfer did not complete within the deadline; it may still complete. */
    DEADLINE("deadline", true),
    /** A linearizable read failed after it was forwarded, or its leader lost leadership: retry (reads change nothing). */
    READ_FAILED("read_failed", false),
    /** A read got no answer within the deadline: retry (reads change nothing). */
    READ_TIMEOUT("read_timeout", false),
    /** A member that lost its storage while a voter serves nothing until it is replaced (docs/node-api.md, Member identity). */
    NEEDS_REPLACEMENT("needs_replacement", false),
    /** 409: force-new-cluster asked of a member that knows a leader; nothing was recorded. */
    QUORUM_AVAILABLE("quorum_available", false),
    /** {@code /healthz}: the driver loop is not running. */
    UNHEALTHY("unhealthy", false),
    /** {@code /readyz}: not ready for client traffic, the reason in the message. */
    NOT_READY("not_ready", false),
    /** The node failed while serving (a bug): nothing is known about the outcome. */
    INTERNAL("internal", true),
    /** A code this client does not know (a newer node): nothing is known about the outcome. */
    UNKNOWN("unknown", true);

    private static final Map<String, ErrorCode> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toMap(ErrorCode::wireName, Function.identity()));

    private final String wireName;
    private final boolean mayHaveApplied;

    ErrorCode(String wireName, boolean mayHaveApplied) {
        this.wireName = wireName;
        this.mayHaveApplied = mayHaveApplied;
    }

    public String wireName() {
        return wireName;
    }

    /** True when the request may or may not have taken effect; false when it certainly was not applied. */
    public boolean mayHaveApplied() {
        return mayHaveApplied;
    }

    public static ErrorCode fromWire(String wire) {
        return wire == null ? UNKNOWN : BY_WIRE.getOrDefault(wire, UNKNOWN);
    }
}
