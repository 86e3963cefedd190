package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The last quorum-loss recovery (ballot.dev/recover-quorum-from): which member's data the cluster was rebuilt from,
 * up to which index, when, and what may have been lost. Beside the Warning Event QuorumRecovery, which ages out of
 * {@code kubectl get events}; this stays until the next recovery replaces it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RecoveryStatus {
    @JsonPropertyDescription("The member the cluster was rebuilt from (the ballot.dev/recover-quorum-from value).")
    public String member;

    @JsonPropertyDescription("The request id of that recovery (the action's request, as in status.actions).")
    public String requestId;

    @JsonPropertyDescription("The last index (ZAB: zxid, as a number) the member kept: everything up to it is in the"
            + " rebuilt cluster.")
    public Long keptIndex;

    @JsonPropertyDescription("ZAB only: the kept zxid in ZooKeeper's hexadecimal form (epoch in the high 32 bits).")
    public String keptZxid;

    @JsonPropertyDescription("Term (ZAB: epoch) of the last entry kept.")
    public Long keptTerm;

    @JsonPropertyDescription("When the member was asked to rebuild the cluster (RFC 3339).")
    public String time;

    @JsonPropertyDescription("What may have been lost: writes the lost majority acknowledged after the kept index.")
    public String mayHaveLost;
}
