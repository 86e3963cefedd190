package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The body of every error answer (docs/node-api.md, "Errors"); absent fields are left out.
 *
 * @param error         the stable code, see {@link ErrorCode}
 * @param message       what is wrong and how to fix it
 * @param field         the one field at fault, when there is one
 * @param leader        the leader's name, whenever the answering node knows another member leads
 * @param leaderAddress the leader's client address, with {@code leader}
 * @param current       {@code compare_failed} only: the value found, JSON null when the key is absent
 *                      (so it is a JSON node: present-and-null is not the same as left out)
 */
@JsonPropertyOrder({"error", "message", "field", "leader", "leaderAddress", "current"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field, String leader, String leaderAddress,
                       JsonNode current) {

    public static ApiError of(ErrorCode code, String message, String field) {
        return new ApiError(code.wireName(), message, field, null, null, null);
    }

    /** The 409 of a compare-and-set whose expectation was not met; {@code found} null when the key is absent. */
    public static ApiError compareFailed(String message, String found) {
        return new ApiError(ErrorCode.COMPARE_FAILED.wireName(), message, "expect", null, null,
                found == null ? NullNode.getInstance() : TextNode.valueOf(found));
    }

    /** The same error naming the leader (when {@code leader} is not null). */
    public ApiError withLeader(String leader, String leaderAddress) {
        return leader == null ? this : new ApiError(error, message, field, leader, leaderAddress, current);
    }

    public ErrorCode code() {
        return ErrorCode.fromWire(error);
    }

    /** {@code compare_failed}: the value found, null when the key was absent. */
    public String currentValue() {
        return current == null || current.isNull() ? null : current.asText();
    }
}
