package dev.ballot.operator.reconciler;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The cluster's NetworkPolicy, as {@link DesiredChildren#networkPolicy(String)} describes it. The operator's own
 * namespace is its pod's ({@code POD_NAMESPACE}, set by deploy/ and the chart), else {@code ballot-system}.
 */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class NetworkPolicyDependent extends ChildDependent<NetworkPolicy> {
    static final String OPERATOR_NAMESPACE = System.getenv().getOrDefault("POD_NAMESPACE", "ballot-system");

    public NetworkPolicyDependent() {
        super(NetworkPolicy.class, c -> c.networkPolicy(OPERATOR_NAMESPACE));
    }
}
