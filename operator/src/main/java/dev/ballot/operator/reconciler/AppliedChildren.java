package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.DesiredChildren;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets a reconcile skip applying the children when neither side changed since the last apply: the children the
 * decision built (a digest of their JSON) and the children the API server holds (each one's resourceVersion, from
 * the informers). Most reconciles come from a member reporting a new role, term or leader, which changes no child;
 * JOSDK's server-side-apply matcher still costs 20-400 ms of CPU per reconcile for six children on a busy machine,
 * and a failover queues several reconciles, each one later than the last (status.leader lagged the election by up
 * to 800 ms). Any edit of a child's spec, labels, annotations or owners by anyone, a deleted child, a spec change of
 * the cluster or a new layout applies again as before; so does every {@link #MAX_AGE}, as a backstop. A child's status
 * is not an edit: a killed member changes its StatefulSet's and PodDisruptionBudget's status, and re-applying all six
 * children then made the reconcile that reports the failover's new leader the slowest one (a CI run: 673 ms).
 */
final class AppliedChildren {
    static final Duration MAX_AGE = Duration.ofMinutes(5);

    /** What one apply left: the desired digest and the stored versions after it, and when. */
    record Applied(String desired, String stored, long atNanos) {
    }

    private final Map<String, Applied> byUid = new ConcurrentHashMap<>();

    /** True when the last apply for {@code uid} was of {@code desired} and left the children as {@code stored} are. */
    boolean unchanged(String uid, String desired, String stored, long nowNanos) {
        Applied last = byUid.get(uid);
        return last != null && last.desired().equals(desired) && last.stored().equals(stored)
                && nowNanos - last.atNanos() < MAX_AGE.toNanos();
    }

    void remember(String uid, String desired, String stored, long nowNanos) {
        byUid.put(uid, new Applied(desired, stored, nowNanos));
    }

    void forget(String uid) {
        byUid.remove(uid);
    }

    /** A digest of the six children the dependents apply (their JSON, in a fixed order). */
    static String desiredDigest(DesiredChildren children, String operatorNamespace) {
        List<HasMetadata> all = List.of(children.configMap(), children.peerService(), children.clientService(),
                children.statefulSet(), children.podDisruptionBudget(), children.networkPolicy(operatorNamespace));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (HasMetadata child : all) {
                sha.update(Serialization.asJson(child).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The children of the cluster the informers hold, as sorted {@code Kind/name@}{@link #version}. */
    static String stored(Context<ElectionCluster> context) {
        TreeSet<String> versions = new TreeSet<>();
        for (Class<? extends HasMetadata> kind : List.of(ConfigMap.class, Service.class, StatefulSet.class,
                PodDisruptionBudget.class, NetworkPolicy.class)) {
            context.getSecondaryResources(kind).forEach(r -> versions.add(kind.getSimpleName() + "/"
                    + r.getMetadata().getName() + "@" + version(r)));
        }
        return String.join(",", versions);
    }

    /**
     * What changes when anyone edits {@code child} but not when only its status moves: its generation (the API server
     * raises it on every spec change) with its labels, annotations and owners, which no generation counts. A kind the
     * API server keeps no generation for (a ConfigMap) falls back to its resourceVersion: it has no status either.
     */
    static String version(HasMetadata child) {
        var meta = child.getMetadata();
        if (meta.getGeneration() == null) {
            return "rv" + meta.getResourceVersion();
        }
        return "g" + meta.getGeneration() + "#" + Integer.toHexString(Objects.hash(meta.getLabels(),
                meta.getAnnotations(), meta.getOwnerReferences()));
    }
}
