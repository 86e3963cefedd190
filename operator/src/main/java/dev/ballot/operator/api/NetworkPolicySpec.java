package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;

/** The NetworkPolicy the operator makes for a cluster's pods (docs/operator.md, NetworkPolicies). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
    @Default("true")
    @JsonPropertyDescription("Restrict ingress to the member pods: peer ports only from the cluster's own pods, client"
            + " ports from the cluster's pods, the operator and clientFrom, the metrics port from the cluster's pods and"
            + " metricsFrom. false: a policy that allows all ingress.")
    public Boolean enabled;

    @JsonPropertyDescription("Who else may reach the client ports (networking/v1 NetworkPolicyPeer: podSelector,"
            + " namespaceSelector, ipBlock). Omitted: every pod in the cluster's namespace. Empty list: nobody else.")
    public List<NetworkPolicyPeer> clientFrom;

    @JsonPropertyDescription("Who else may reach the metrics port (metrics, 9180: GET /metrics in plain HTTP, what"
            + " Prometheus scrapes; networking/v1 NetworkPolicyPeer). Omitted: anyone, since Prometheus usually runs in"
            + " another namespace and the metrics carry no keys, values or credentials. Empty list: nobody else (the"
            + " cluster's own pods still may).")
    public List<NetworkPolicyPeer> metricsFrom;
}
