package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's PodDisruptionBudget `podDisruptionBudget`, as {@link DesiredChildren#podDisruptionBudget()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class PodDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, ElectionCluster> {
    public PodDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(ElectionCluster cluster, Context<ElectionCluster> context) {
        return ChildrenKey.get(context).podDisruptionBudget();
    }
}
