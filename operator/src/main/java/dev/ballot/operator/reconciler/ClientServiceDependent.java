package dev.ballot.operator.reconciler;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's Service `clientService`, as {@link DesiredChildren#clientService()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class ClientServiceDependent extends ChildDependent<Service> {
    public ClientServiceDependent() {
        super(Service.class, DesiredChildren::clientService);
    }
}
