package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.util.function.Function;

/**
 * A child of the cluster that the decision already built for this reconcile ({@link ChildrenKey}): the dependent
 * only names its kind and which of the {@link DesiredChildren} it is, and JOSDK applies it. Each subclass keeps its
 * own {@code @KubernetesDependent} (JOSDK reads it from the concrete class).
 */
abstract class ChildDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, ElectionCluster> {
    private final Function<DesiredChildren, R> child;

    ChildDependent(Class<R> kind, Function<DesiredChildren, R> child) {
        super(kind);
        this.child = child;
    }

    @Override
    protected R desired(ElectionCluster cluster, Context<ElectionCluster> context) {
        return child.apply(ChildrenKey.get(context));
    }
}
