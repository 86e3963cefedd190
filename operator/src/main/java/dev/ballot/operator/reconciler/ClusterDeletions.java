package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.metrics.ClusterGauges;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Tells the per-cluster gauges, and the reconciler's per-cluster memory, when a cluster is deleted. The operator puts no finalizer on a cluster (so no
 * Cleaner); JOSDK tells the event sources of a deleted primary, and this one only passes that on. It triggers no
 * reconcile and holds no secondary resources.
 */
final class ClusterDeletions extends AbstractEventSource<Void, ElectionCluster>
        implements ResourceEventAware<ElectionCluster> {
    private final ClusterGauges gauges;
    private final Consumer<ElectionCluster> alsoForget;

    ClusterDeletions(ClusterGauges gauges, Consumer<ElectionCluster> alsoForget) {
        super(Void.class, "cluster-deletions");
        this.gauges = gauges;
        this.alsoForget = alsoForget;
    }

    @Override
    public void onResourceDeleted(ElectionCluster cluster) {
        gauges.forget(cluster.getMetadata().getNamespace(), cluster.getMetadata().getName(),
                cluster.getMetadata().getUid());
        alsoForget.accept(cluster);
    }

    @Override
    public Set<Void> getSecondaryResources(ElectionCluster primary) {
        return Set.of();
    }
}
