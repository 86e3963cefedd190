package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.decide.Observed;
import dev.ballot.operator.decide.StatefulSetView;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.rollout.LeaderProgress;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.storage.ClaimView;
import dev.ballot.operator.storage.Expansion;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Takes the one {@link Observed} snapshot of a reconcile from the informers' caches, the member watcher and the
 * operator's memory; turns Kubernetes objects into the plain views the decision reads. Decides nothing.
 */
final class ClusterObserver {
    private ClusterObserver() {
    }

    static Observed observe(ElectionCluster cluster, Context<ElectionCluster> context,
                            Map<String, MemberObservation> members, Instant membersWatchedSince,
                            Function<String, Expansion> storageClass,
                            Function<String, Optional<LeaderProgress>> leaderProgress, String volumeBlockPublished,
                            List<ActionStatus> actionsWritten, Observed.Settings settings) {
        Map<String, PodView> pods = new HashMap<>();
        context.getSecondaryResources(Pod.class).forEach(p -> pods.put(p.getMetadata().getName(), podView(p)));
        List<ClaimView> claims = new ArrayList<>();
        for (PersistentVolumeClaim pvc : context.getSecondaryResources(PersistentVolumeClaim.class)) {
            if (pvc.getMetadata().getDeletionTimestamp() == null) {
                claims.add(ClaimView.of(pvc));
            }
        }
        return new Observed(cluster.getMetadata().getName(), cluster.getMetadata().getNamespace(),
                Optional.ofNullable(cluster.getMetadata().getGeneration()).orElse(0L), cluster.getSpec(),
                cluster.getSpec() == null ? null : EffectiveSpec.of(cluster.getSpec(), settings.tlsByDefault()),
                context.getSecondaryResource(StatefulSet.class).map(sts -> statefulSetView(sts,
                        initialClusterState(context))).orElse(null),
                pods, members, membersWatchedSince, claims, once(storageClass), once(leaderProgress),
                cluster.getStatus(), volumeBlockPublished, settings, Instant.now(),
                cluster.getMetadata().getAnnotations(), actionsWritten);
    }

    /** The StatefulSet's status as it stands now (after the children were applied). */
    static WorkloadView workload(Optional<StatefulSet> sts) {
        return sts.map(ClusterObserver::workloadView).orElse(WorkloadView.MISSING);
    }

    /** The ConfigMap's {@code initial-cluster-state}: the operator's record that the cluster has bootstrapped. */
    private static String initialClusterState(Context<ElectionCluster> context) {
        return context.getSecondaryResource(io.fabric8.kubernetes.api.model.ConfigMap.class)
                .map(cm -> cm.getData() == null ? null : cm.getData().get(DesiredChildren.INITIAL_CLUSTER_STATE_KEY))
                .orElse(null);
    }

    private static StatefulSetView statefulSetView(StatefulSet sts, String state) {
        var spec = sts.getSpec();
        var annotations = sts.getMetadata().getAnnotations();
        String voters = annotations == null ? null : annotations.get(DesiredChildren.VOTERS_ANNOTATION);
        boolean deleting = sts.getMetadata().getDeletionTimestamp() != null;
        if (spec == null) {
            return new StatefulSetView(null, voters, null, null, deleting, workloadView(sts), state);
        }
        var containers = spec.getTemplate() == null || spec.getTemplate().getSpec() == null ? null
                : spec.getTemplate().getSpec().getContainers();
        List<String> args = containers == null || containers.isEmpty() ? null : containers.get(0).getArgs();
        StatefulSetView.ClaimTemplate template = null;
        if (spec.getVolumeClaimTemplates() != null && !spec.getVolumeClaimTemplates().isEmpty()) {
            PersistentVolumeClaim claim = spec.getVolumeClaimTemplates().get(0);
            var claimSpec = claim.getSpec();
            Quantity size = claimSpec == null || claimSpec.getResources() == null
                    || claimSpec.getResources().getRequests() == null ? null
                    : claimSpec.getResources().getRequests().get("storage");
            template = new StatefulSetView.ClaimTemplate(claim.getMetadata() == null ? null
                    : claim.getMetadata().getName(), claimSpec != null, size,
                    claimSpec == null ? null : claimSpec.getStorageClassName());
        }
        return new StatefulSetView(spec.getReplicas(), voters, args, template, deleting, workloadView(sts), state);
    }

    private static WorkloadView workloadView(StatefulSet sts) {
        var status = sts.getStatus();
        if (status == null) {
            return new WorkloadView(true, 0, 0, null, false);
        }
        long generation = Optional.ofNullable(sts.getMetadata().getGeneration()).orElse(0L);
        long observed = Optional.ofNullable(status.getObservedGeneration()).orElse(-1L);
        return new WorkloadView(true, Optional.ofNullable(status.getReadyReplicas()).orElse(0),
                Optional.ofNullable(status.getUpdatedReplicas()).orElse(0), status.getUpdateRevision(),
                observed >= generation);
    }

    private static PodView podView(Pod pod) {
        var labels = pod.getMetadata().getLabels();
        String revision = labels == null ? null : labels.get("controller-revision-hash");
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        List<PodView.Waiting> waiting = new ArrayList<>();
        if (pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getWaiting() != null) {
                    waiting.add(new PodView.Waiting(cs.getState().getWaiting().getReason(),
                            cs.getState().getWaiting().getMessage()));
                }
            }
        }
        return new PodView(pod.getMetadata().getName(), revision, ready,
                pod.getMetadata().getDeletionTimestamp() != null, waiting, pod.getMetadata().getUid());
    }

    /** Each key read at most once per reconcile. */
    private static <T> Function<String, T> once(Function<String, T> read) {
        Map<String, T> seen = new HashMap<>();
        return key -> {
            if (!seen.containsKey(key)) {
                seen.put(key, read.apply(key));
            }
            return seen.get(key);
        };
    }
}
