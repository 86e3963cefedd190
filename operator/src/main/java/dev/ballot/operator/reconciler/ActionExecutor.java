package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.TransferRequest;
import dev.ballot.operator.actions.ActionStep;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.RecoveryStatus;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the executor call of a one-off action (status.actions) with the rollout's code: the same throttled leadership
 * transfer and the same uid-guarded pod delete (RolloutExecutor), so every call is made at most once however often
 * the decision repeats it. The action's own Events come from the decision (ActionPlanner).
 */
final class ActionExecutor {
    private final RolloutExecutor rollout;
    private final KubernetesClient client;
    private final QuorumRecoveryExecutor recovery;

    ActionExecutor(RolloutExecutor rollout, KubernetesClient client) {
        this.rollout = rollout;
        this.client = client;
        this.recovery = new QuorumRecoveryExecutor(rollout, java.time.Clock.systemUTC());
    }

    /** What a call did: its Event, if it did something worth one, and a new status.recovery (null but for a recovery). */
    record Outcome(Optional<EventToPublish> event, RecoveryStatus recovery) {
        static Outcome of(Optional<EventToPublish> event) {
            return new Outcome(event, null);
        }
    }

    Outcome execute(ElectionCluster cluster, ActionStep step) {
        if (step.op() == ActionStep.Op.FORCE_NEW_CLUSTER) {
            return recovery.execute(cluster, step).map(r -> new Outcome(Optional.of(r.event()), r.status()))
                    .orElse(Outcome.of(Optional.empty()));
        }
        return Outcome.of(eventOf(cluster, step));
    }

    private Optional<EventToPublish> eventOf(ElectionCluster cluster, ActionStep step) {
        return switch (step.op()) {
            case TRANSFER_LEADERSHIP -> {
                rollout.transferLeadership(cluster, step.member(), new TransferRequest(step.to()));
                yield Optional.empty();
            }
            case DELETE_POD -> rollout.deletePod(cluster, step.member(),
                    pod -> step.podUid().equals(pod.getMetadata().getUid()))
                    ? Optional.of(EventToPublish.normal("RestartingMember", "deleted pod " + step.member()
                    + " (restart-member) so the StatefulSet recreates it"))
                    : Optional.empty();
            case FORCE_NEW_CLUSTER -> throw new IllegalStateException("handled by execute");
            case DELETE_CLAIM_AND_POD -> {
                String[] claim = new String[1];
                boolean deleted = rollout.deletePod(cluster, step.member(), pod -> {
                    if (!step.podUid().equals(pod.getMetadata().getUid())) {
                        return false;
                    }
                    // The claim first: it stays (kubernetes.io/pvc-protection) until the pod is gone, then goes, and
                    // the StatefulSet creates an empty one for the recreated pod. Only while the recorded pod still
                    // runs, so the new pod's claim is never touched.
                    claim[0] = deleteDataClaim(pod);
                    return true;
                });
                yield deleted ? Optional.of(EventToPublish.normal("ReplacingMember", "deleted claim " + claim[0]
                        + " and pod " + step.member() + " (replace-member): it starts empty and is replaced"))
                        : Optional.empty();
            }
        };
    }

    /** Deletes the claim the pod mounts as its data volume (uid precondition); returns its name. */
    private String deleteDataClaim(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getSpec().getVolumes() == null ? null : pod.getSpec().getVolumes().stream()
                .filter(v -> "data".equals(v.getName()) && v.getPersistentVolumeClaim() != null)
                .map(Volume::getPersistentVolumeClaim).map(c -> c.getClaimName()).filter(Objects::nonNull)
                .findFirst().orElse(null);
        if (name == null) {
            throw new IllegalStateException("pod " + pod.getMetadata().getName() + " mounts no claim as its data"
                    + " volume: nothing to replace it from");
        }
        PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) {
            return name;
        }
        try {
            client.raw("/api/v1/namespaces/" + ns + "/persistentvolumeclaims/" + name, "DELETE", Map.of("kind",
                    "DeleteOptions", "apiVersion", "v1", "preconditions", Map.of("uid", claim.getMetadata().getUid())));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                throw e;
            }
        }
        return name;
    }
}
