package dev.ballot.operator.status;

/**
 * What Kubernetes says about the StatefulSet. {@code caughtUp}: the StatefulSet controller has seen its latest spec
 * (status.observedGeneration >= metadata.generation).
 */
public record WorkloadView(boolean exists, int readyReplicas, int updatedReplicas, String updateRevision,
                           boolean caughtUp) {
    public static final WorkloadView MISSING = new WorkloadView(false, 0, 0, null, false);
}
