package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's ConfigMap `configMap`, as {@link DesiredChildren#configMap()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class ConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, ElectionCluster> {
    public ConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(ElectionCluster cluster, Context<ElectionCluster> context) {
        return ChildrenKey.get(context).configMap();
    }
}
