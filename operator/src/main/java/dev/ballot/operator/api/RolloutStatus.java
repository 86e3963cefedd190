package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What the operator will do next and what blocks it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStatus {
    @JsonPropertyDescription("The next step, e.g. 'restart raft-3-2' or 'transfer leadership from raft-3-1'; empty"
            + " when nothing is to do.")
    public String step;

    @JsonPropertyDescription("Why the next step cannot run yet, e.g. 'quorum has no spare member'; empty when it can.")
    public String blockedBy;

    @JsonPropertyDescription("When this step became the next one (RFC 3339); past spec.progressDeadlineSeconds the"
            + " cluster is Stalled with reason ProgressDeadlineExceeded.")
    public String since;

    public RolloutStatus() {
    }

    public RolloutStatus(String step, String blockedBy) {
        this.step = step;
        this.blockedBy = blockedBy;
    }
}
