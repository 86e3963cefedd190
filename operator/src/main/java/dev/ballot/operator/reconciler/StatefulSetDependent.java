package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's StatefulSet `statefulSet`, as {@link DesiredChildren#statefulSet()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class StatefulSetDependent extends ChildDependent<StatefulSet> {
    public StatefulSetDependent() {
        super(StatefulSet.class, DesiredChildren::statefulSet);
    }

    @Override
    protected StatefulSet desired(ElectionCluster cluster, Context<ElectionCluster> context) {
        StatefulSet desired = super.desired(cluster, context);
        // volumeClaimTemplates are immutable on a StatefulSet: send back exactly what is stored (server-filled
        // kind, volumeMode and status included), so an apply never looks like a forbidden change and the matcher
        // sees no difference. Volume growth is a PVC edit, not a template edit.
        context.getSecondaryResource(StatefulSet.class)
                .filter(actual -> actual.getSpec() != null && actual.getSpec().getVolumeClaimTemplates() != null)
                .ifPresent(actual -> desired.getSpec().setVolumeClaimTemplates(
                        Serialization.clone(actual).getSpec().getVolumeClaimTemplates()));
        return desired;
    }
}
