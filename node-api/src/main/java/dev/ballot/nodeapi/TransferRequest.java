package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The body of {@code POST /v1/admin/transfer-leadership}: {@code {"to": "<name>"}}, or {@code {}} for the
 * most caught-up voter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransferRequest(String to) {
    public static TransferRequest toMostCaughtUp() {
        return new TransferRequest(null);
    }
}
