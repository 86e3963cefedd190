package dev.ballot.operator.reconciler;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's Service `peerService`, as {@link DesiredChildren#peerService()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class PeerServiceDependent extends ChildDependent<Service> {
    public PeerServiceDependent() {
        super(Service.class, DesiredChildren::peerService);
    }
}
