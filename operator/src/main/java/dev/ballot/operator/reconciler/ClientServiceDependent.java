package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's Service `clientService`, as {@link DesiredChildren#clientService()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class ClientServiceDependent extends CRUDKubernetesDependentResource<Service, ElectionCluster> {
    public ClientServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(ElectionCluster cluster, Context<ElectionCluster> context) {
        return ChildrenKey.get(context).clientService();
    }
}
