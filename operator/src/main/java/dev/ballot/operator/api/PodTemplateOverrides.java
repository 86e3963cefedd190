package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** Overrides for the member pods. Absent fields keep the operator's defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PodTemplateOverrides {
    @JsonPropertyDescription("Extra labels on every member pod (the operator's own labels win on conflict).")
    public Map<String, String> labels;

    @JsonPropertyDescription("Extra annotations on every member pod.")
    public Map<String, String> annotations;

    @JsonPropertyDescription("Pod affinity and anti-affinity rules (core/v1 Affinity). Absent: a preferred pod"
            + " anti-affinity by kubernetes.io/hostname, so members spread over nodes where they can; {} for none.")
    public Affinity affinity;

    @JsonPropertyDescription("Tolerations of the member pods.")
    public List<Toleration> tolerations;

    @JsonPropertyDescription("Topology spread constraints of the member pods, e.g. one member per zone. Absent: maxSkew"
            + " 1 over topology.kubernetes.io/zone, ScheduleAnyway; [] for none.")
    public List<TopologySpreadConstraint> topologySpreadConstraints;

    @JsonPropertyDescription("PriorityClass of the member pods.")
    public String priorityClassName;

    @JsonPropertyDescription("Node selector of the member pods.")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("Pod security context. The default is restricted: runAsNonRoot, uid/gid/fsGroup 10001,"
            + " seccomp RuntimeDefault.")
    public PodSecurityContext securityContext;
}
