package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed. Written only through the status subresource. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ElectionClusterStatus {
    @JsonPropertyDescription("metadata.generation of the spec this status describes. Conditions are about that spec"
            + " only; when it lags metadata.generation the operator has not processed the latest edit yet.")
    public Long observedGeneration;

    @JsonPropertyDescription("Human-friendly summary (Pending, Running, Updating, Degraded, Stalled, Paused)."
            + " Informative only: read the conditions for health.")
    public String phase;

    @JsonPropertyDescription("Name of the member (= pod name) that currently leads, as reported by the members.")
    public String leader;

    @JsonPropertyDescription("Raft term or ZAB epoch of the current leader.")
    public Long term;

    @JsonPropertyDescription("When the current leader took office (RFC 3339).")
    public String leaderSince;

    @JsonPropertyDescription("How many leader changes the operator has seen for this cluster.")
    public Long leaderChanges;

    @StatusReplicas
    @JsonPropertyDescription("Number of voting members the operator runs (the scale subresource reads it).")
    public Integer replicas;

    @JsonPropertyDescription("Number of member pods that Kubernetes reports ready.")
    public Integer readyReplicas;

    @JsonPropertyDescription("Number of member pods that run the current pod template.")
    public Integer updatedReplicas;

    @LabelSelector
    @JsonPropertyDescription("Label selector of the member pods (for the scale subresource and autoscalers).")
    public String selector;

    @JsonPropertyDescription("Every member as it reports itself; an unreachable member is listed with"
            + " reachable false.")
    public List<MemberStatus> members = new ArrayList<>();

    @JsonPropertyDescription("Connection strings for applications: etcd (Raft), zookeeper (ZAB) and Ballot's http API.")
    public EndpointsStatus endpoints;

    @JsonPropertyDescription("Quorum arithmetic over the voters.")
    public QuorumStatus quorum;

    @JsonPropertyDescription("What the operator will do next to reach the spec, and what blocks it.")
    public RolloutStatus rollout;

    @JsonPropertyDescription("The last backup: success (time, object, size, index, duration) and the last error.")
    public BackupStatus backup;

    @JsonPropertyDescription("The last quorum-loss recovery (ballot.dev/recover-quorum-from): the member kept, its"
            + " last index (ZAB: zxid), when, and that writes acknowledged after it may be lost.")
    public RecoveryStatus recovery;

    @JsonPropertyDescription("One-off actions requested by annotations (ballot.dev/transfer-leadership,"
            + " ballot.dev/restart-member): the latest request of each, and how far it got.")
    public List<ActionStatus> actions;

    @JsonPropertyDescription("The cluster's certificates (with spec.tls): those the operator keeps, or the provided"
            + " ones it checks.")
    public TlsStatus tls;

    @JsonPropertyDescription("Ready, Available, Reconciling, Stalled and Degraded, each with observedGeneration,"
            + " reason and message; KeyspaceQuotaExceeded with spec.keyspaceQuota; CertificatesValid with"
            + " spec.tls.certificates Provided.")
    public List<Condition> conditions = new ArrayList<>();
}
