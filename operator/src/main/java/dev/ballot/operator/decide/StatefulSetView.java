package dev.ballot.operator.decide;

import dev.ballot.operator.status.WorkloadView;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;

/**
 * What the decision needs of the cluster's StatefulSet (null fields where the StatefulSet has no spec).
 *
 * @param replicas         spec.replicas
 * @param votersAnnotation the {@code ballot.dev/voters} annotation, or null
 * @param nodeArgs         the first container's args, or null
 * @param claimTemplate    the first volume claim template, or null without one
 * @param deleting         it has a deletionTimestamp
 * @param workload         its status, as the readiness conditions read it
 * @param initialClusterState the ConfigMap's {@code initial-cluster-state} ({@code existing} once the cluster has
 *                         bootstrapped), or null
 */
public record StatefulSetView(Integer replicas, String votersAnnotation, List<String> nodeArgs,
                              ClaimTemplate claimTemplate, boolean deleting, WorkloadView workload,
                              String initialClusterState) {
    public StatefulSetView(Integer replicas, String votersAnnotation, List<String> nodeArgs,
                           ClaimTemplate claimTemplate, boolean deleting, WorkloadView workload) {
        this(replicas, votersAnnotation, nodeArgs, claimTemplate, deleting, workload, null);
    }

    /**
     * The claim template: its name, whether it has a spec, what it requests and its class (null when unset).
     */
    public record ClaimTemplate(String name, boolean hasSpec, Quantity size, String storageClass) {
    }
}
