package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Quorum arithmetic over the voters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class QuorumStatus {
    @JsonPropertyDescription("Number of voting members.")
    public Integer voters;

    @JsonPropertyDescription("Voters that answer and know the leader.")
    public Integer healthy;

    @JsonPropertyDescription("Voters needed for a majority: floor(voters/2)+1.")
    public Integer required;

    @JsonPropertyDescription("How many more voters may fail with the rest still a majority (healthy - required,"
            + " at least 0).")
    public Integer faultTolerance;
}
