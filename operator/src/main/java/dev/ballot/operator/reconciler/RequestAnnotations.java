package dev.ballot.operator.reconciler;

import dev.ballot.operator.actions.ActionRequest;
import dev.ballot.operator.api.ElectionCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which updates of an ElectionCluster wake the controller: a new {@code metadata.generation} (a spec change), or a
 * change of its {@code ballot.dev/} annotations, by which the one-off actions (transfer-leadership, restart-member,
 * replace-member, recover-quorum-from), backup-now, rotate-certificates and rotate-ca are requested. Nothing else: the
 * operator's own status writes must not wake it.
 *
 * <p>Why a filter on the controller's own watch, with JOSDK's generation-aware processing off: an annotation is not a
 * new generation, and the earlier way, a second filtered watch on the clusters, raced the controller's watch. That
 * second watch could trigger the reconcile before the controller's cache held the annotated version; the reconcile
 * then saw no request, and the controller's own update, filtered as not a new generation, never woke it: the request
 * waited for the 30 s status refresh (seen on the real node: kubectl-ballot's transfer and restart 34-37 s each).
 */
final class RequestAnnotations {
    private RequestAnnotations() {
    }

    /** True when the {@code ballot.dev/} annotations differ between the two versions of a cluster. */
    static boolean changed(HasMetadata newer, HasMetadata older) {
        return !requests(newer).equals(requests(older));
    }

    static Map<String, String> requests(HasMetadata resource) {
        Map<String, String> all = resource == null || resource.getMetadata() == null ? null
                : resource.getMetadata().getAnnotations();
        Map<String, String> ours = new TreeMap<>();
        if (all != null) {
            all.forEach((key, value) -> {
                if (key.startsWith(ActionRequest.PREFIX)) {
                    ours.put(key, Objects.requireNonNullElse(value, ""));
                }
            });
        }
        return ours;
    }

    /** True when {@code newer} is a new generation of {@code older} or asks for something else. */
    static boolean wakes(ElectionCluster newer, ElectionCluster older) {
        return generation(newer) > generation(older) || changed(newer, older);
    }

    private static long generation(HasMetadata resource) {
        Long g = resource == null || resource.getMetadata() == null ? null : resource.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    /** The controller's update filter ({@code @ControllerConfiguration} instantiates it). */
    public static final class UpdateFilter implements OnUpdateFilter<ElectionCluster> {
        @Override
        public boolean accept(ElectionCluster newer, ElectionCluster older) {
            return wakes(newer, older);
        }
    }
}
