package dev.ballot.operator.reconciler;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.Names;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The cluster's PodDisruptionBudget `podDisruptionBudget`, as {@link DesiredChildren#podDisruptionBudget()} describes it. */
@KubernetesDependent(informer = @Informer(labelSelector = Names.MANAGED_SELECTOR))
public class PodDisruptionBudgetDependent extends ChildDependent<PodDisruptionBudget> {
    public PodDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class, DesiredChildren::podDisruptionBudget);
    }
}
