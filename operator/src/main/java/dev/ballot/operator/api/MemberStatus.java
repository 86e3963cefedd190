package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One member as seen by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MemberStatus {
    @JsonPropertyDescription("Member name, equal to its pod name.")
    public String name;

    @JsonPropertyDescription("Numeric member id inside the engine (pod ordinal + 1).")
    public Integer id;

    @JsonPropertyDescription("Role the member reports (Raft: leader, follower, candidate, precandidate, learner;"
            + " ZAB: leading, following, looking, observing), or unknown when it does not answer.")
    public String role;

    @JsonPropertyDescription("True for voting members (not learners or observers).")
    public Boolean voter;

    @JsonPropertyDescription("True when the member answers, knows a leader and is within a small lag of it.")
    public Boolean ready;

    @JsonPropertyDescription("False when the operator cannot reach the member's status endpoint.")
    public Boolean reachable;

    @JsonPropertyDescription("Entries this member is behind the leader's last log index, when known.")
    public Long lag;

    @JsonPropertyDescription("Milliseconds since the leader last heard from this member, when the leader reports it.")
    public Long lastContactMs;

    @JsonPropertyDescription("controller-revision-hash of the member's pod: the pod template it runs.")
    public String revision;

    @JsonPropertyDescription("True when the member reports it lost its storage while in the configuration: it never"
            + " votes, and the operator replaces it (docs/operator.md, Member replacement).")
    public Boolean needsReplacement;

    @JsonPropertyDescription("Why the member is not ready or not reachable.")
    public String message;
}
