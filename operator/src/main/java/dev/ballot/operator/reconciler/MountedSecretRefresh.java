package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Collection;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Brings a changed members Secret into the member pods now rather than at the kubelet's next periodic sync of each
 * pod (its sync period, a minute by default, plus its cache: a certificate rotation used to reach the members after
 * 60-90 s). A change of a pod's annotations makes the kubelet sync that pod, and every sync remounts the pod's Secret
 * volumes; the members then reload their certificates from the files. So after writing the Secret, the operator sets
 * {@value #ANNOTATION} on each member pod to the Secret's new resourceVersion.
 *
 * <p>Best effort: a pod that is gone or cannot be patched still gets the files at its kubelet's next sync, so a
 * failure is logged and nothing else. The annotation is not in the pod template, so it never starts a rollout.
 */
final class MountedSecretRefresh {
    static final String ANNOTATION = "ballot.dev/tls-secret-version";
    private static final Logger LOG = Logger.getLogger(MountedSecretRefresh.class);

    private MountedSecretRefresh() {
    }

    /** Sets {@link #ANNOTATION} to {@code secretVersion} on each of {@code pods} of {@code cluster}. */
    static void nudge(KubernetesClient client, ElectionCluster cluster, Collection<String> pods, String secretVersion) {
        String patch = io.fabric8.kubernetes.client.utils.Serialization.asJson(
                Map.of("metadata", Map.of("annotations", Map.of(ANNOTATION, String.valueOf(secretVersion)))));
        for (String pod : pods) {
            try {
                client.pods().inNamespace(cluster.getMetadata().getNamespace()).withName(pod)
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            } catch (KubernetesClientException e) {
                // 404: the pod is being recreated and mounts the new Secret when it starts
                if (e.getCode() != 404) {
                    LOG.infof("could not ask the kubelet to remount the certificates of %s/%s now (%s); it will at its"
                            + " next sync", cluster.getMetadata().getNamespace(), pod, e.getMessage());
                }
            }
        }
    }
}
