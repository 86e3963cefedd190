package dev.ballot.operator.reconciler;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's ConfigMap `configMap`, as {@link DesiredChildren#configMap()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class ConfigMapDependent extends ChildDependent<ConfigMap> {
    public ConfigMapDependent() {
        super(ConfigMap.class, DesiredChildren::configMap);
    }
}
