package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.storage.ClaimStep;
import dev.ballot.operator.storage.Expansion;
import dev.ballot.operator.storage.VolumeGrowth;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Grows the members' volumes at the edges: patches each claim's request as the decision's {@link VolumeGrowth} says, and replaces
 * the StatefulSet whose claim template is smaller than spec.storage.size (templates are immutable) by deleting it
 * with {@code propagationPolicy: Orphan}: pods and claims keep running, and the StatefulSet dependent recreates it
 * from the plan on the next reconcile. The new StatefulSet adopts the pods; its pod template is unchanged, so the
 * revision is the same and nothing restarts.
 */
final class VolumeResizer {
    private static final Logger LOG = Logger.getLogger(VolumeResizer.class);

    private final KubernetesClient client;
    /** Claim (namespace/name) to the size last patched, so a stale cache does not repeat the Event. */
    private final Map<String, String> patched = new ConcurrentHashMap<>();
    /** StatefulSet uids this operator deleted for a new claim template: deleted once. */
    private final Set<String> replaced = ConcurrentHashMap.newKeySet();

    VolumeResizer(KubernetesClient client) {
        this.client = client;
    }

    record Result(VolumeGrowth plan, List<EventToPublish> events) {
    }

    /**
     * Patches the claims the plan grows (a refusal by the API server turns that claim's step into BLOCKED with the
     * server's words), and replaces an outdated StatefulSet once {@code settled} (the cluster is Ready, so no
     * rollout or scaling needs the StatefulSet in between).
     */
    Result execute(ElectionCluster cluster, VolumeGrowth plan, Optional<StatefulSet> sts, boolean settled) {
        String ns = cluster.getMetadata().getNamespace();
        List<EventToPublish> events = new ArrayList<>();
        VolumeGrowth result = plan;
        List<String> grown = new ArrayList<>();
        for (ClaimStep step : plan.of(ClaimStep.Kind.PATCH)) {
            try {
                client.persistentVolumeClaims().inNamespace(ns).withName(step.claim())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"resources\":{\"requests\":"
                                + "{\"storage\":\"" + plan.desiredSize() + "\"}}}}");
                if (!plan.desiredSize().equals(patched.put(ns + "/" + step.claim(), plan.desiredSize()))) {
                    grown.add(step.claim());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() == 403 || e.getCode() == 422) {
                    result = result.refuse(step.claim(), "the API server refused (" + serverMessage(e) + "): allow "
                            + "volume expansion on the claims' StorageClass (allowVolumeExpansion: true), and let the "
                            + "operator patch persistentvolumeclaims");
                } else if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
        if (!grown.isEmpty()) {
            events.add(EventToPublish.normal("ResizingVolumes", "asked for " + plan.desiredSize() + " on "
                    + String.join(", ", grown) + " (spec.storage.size)"));
        }
        if (plan.templateOutdated() && settled && sts.isPresent()) {
            replaceStatefulSet(ns, sts.get(), plan.desiredSize()).ifPresent(events::add);
        }
        return new Result(result, events);
    }

    private Optional<EventToPublish> replaceStatefulSet(String ns, StatefulSet sts, String size) {
        String uid = sts.getMetadata().getUid();
        if (sts.getMetadata().getDeletionTimestamp() != null || uid == null || !replaced.add(uid)) {
            return Optional.empty();
        }
        String name = sts.getMetadata().getName();
        try {
            // The uid precondition: never the StatefulSet recreated meanwhile under the same name.
            client.raw("/apis/apps/v1/namespaces/" + ns + "/statefulsets/" + name, "DELETE", Map.of(
                    "kind", "DeleteOptions", "apiVersion", "v1", "propagationPolicy", "Orphan",
                    "preconditions", Map.of("uid", uid)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return Optional.empty();
            }
            replaced.remove(uid);
            throw e;
        }
        return Optional.of(EventToPublish.normal("ResizingVolumes", "deleted StatefulSet " + name + " with "
                + "propagationPolicy Orphan (pods and volumes keep running) so it is recreated with claim template "
                + "size " + size + " for members created later"));
    }

    /** Whether a StorageClass lets its claims grow; read when a claim must grow (see {@link ClusterObserver}). */
    Expansion expansion(String storageClass) {
        try {
            StorageClass sc = client.storage().v1().storageClasses().withName(storageClass).get();
            if (sc == null) {
                return Expansion.CLASS_MISSING;
            }
            return Boolean.TRUE.equals(sc.getAllowVolumeExpansion()) ? Expansion.ALLOWED : Expansion.NOT_ALLOWED;
        } catch (KubernetesClientException e) {
            // e.g. the Helm chart's per-namespace RoleBindings cannot grant cluster-scoped storageclasses
            LOG.debugf("cannot read StorageClass %s (%d): the API server will decide", storageClass, e.getCode());
            return Expansion.UNKNOWN;
        }
    }

    private static String serverMessage(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
    }
}
