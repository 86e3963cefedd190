package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * The operator's acknowledgement of the latest one-off action of one kind requested by an annotation
 * (ballot.dev/transfer-leadership, ballot.dev/restart-member, ballot.dev/replace-member; see docs/operator.md,
 * "One-off actions").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ActionStatus {
    @JsonPropertyDescription("The action: the annotation's name without ballot.dev/ (transfer-leadership,"
            + " restart-member, replace-member).")
    public String name;

    @JsonPropertyDescription("The member the action is about. For transfer-leadership to 'any', the member the"
            + " operator chose.")
    public String target;

    @JsonPropertyDescription("The request this entry acknowledges: the ballot.dev/<action>-id annotation, or the"
            + " action annotation's value when there is no id. The same request is never carried out twice.")
    public String requestId;

    @JsonPropertyDescription("Accepted (waiting for its turn), Running, Done, Refused (unsafe or invalid: nothing"
            + " was done) or Failed (started, did not finish in time).")
    public String phase;

    @JsonPropertyDescription("Why, in one CamelCase word (e.g. QuorumAtRisk, NotCaughtUp, LeadershipMoved).")
    public String reason;

    @JsonPropertyDescription("What happened or what blocks it, for people.")
    public String message;

    @JsonPropertyDescription("When the operator first saw the request (RFC 3339).")
    public String acceptedAt;

    @JsonPropertyDescription("When the action started running (RFC 3339); its deadline counts from here.")
    public String startedAt;

    @JsonPropertyDescription("When the action reached Done, Refused or Failed (RFC 3339).")
    public String finishedAt;

    @JsonPropertyDescription("restart-member, replace-member: the uid of the pod that ran when the action started;"
            + " only that pod is deleted, and the action is done once a pod of another uid is ready.")
    public String targetPodUid;

    public ActionStatus() {
    }

    public ActionStatus(ActionStatus other) {
        this.name = other.name;
        this.target = other.target;
        this.requestId = other.requestId;
        this.phase = other.phase;
        this.reason = other.reason;
        this.message = other.message;
        this.acceptedAt = other.acceptedAt;
        this.startedAt = other.startedAt;
        this.finishedAt = other.finishedAt;
        this.targetPodUid = other.targetPodUid;
    }
}
