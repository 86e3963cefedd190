package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Publishes events as core/v1 Events on the cluster. A failure to record is logged, never thrown. Synchronous on
 * purpose: an Event is sent before the status that records its transition is written, so an operator killed between
 * the two announces it again after its restart; a background sender lost such Events (e2e operator-crash-replace:
 * no MemberNeedsReplacement after a kill). The exception are the Events that only repeat the status, which
 * {@link NewsEvents} sends beside it.
 */
final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    static final String COMPONENT = "ballot-operator";

    private EventRecorder() {
    }

    static void record(KubernetesClient client, ElectionCluster cluster, EventToPublish event) {
        var meta = cluster.getMetadata();
        String now = Instant.now().toString();
        LOG.infof("%s/%s %s %s: %s", meta.getNamespace(), meta.getName(), event.warning() ? "Warning" : "Normal",
                event.reason(), event.message());
        try {
            client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
                    .withNamespace(meta.getNamespace())
                    .endMetadata()
                    .withNewInvolvedObject()
                    .withApiVersion(cluster.getApiVersion())
                    .withKind(cluster.getKind())
                    .withName(meta.getName())
                    .withNamespace(meta.getNamespace())
                    .withUid(meta.getUid())
                    .withResourceVersion(meta.getResourceVersion())
                    .endInvolvedObject()
                    .withType(event.warning() ? "Warning" : "Normal")
                    .withReason(event.reason())
                    .withMessage(truncate(event.message()))
                    .withFirstTimestamp(now)
                    .withLastTimestamp(now)
                    .withCount(1)
                    // Legacy core/v1 fields only: setting reportingComponent would make the API server validate
                    // the event as events.k8s.io (eventTime, action required).
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .build()).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record event %s on %s/%s: %s", event.reason(), meta.getNamespace(),
                    meta.getName(), e.getMessage());
        }
    }

    private static String truncate(String message) {
        return message.length() <= 1000 ? message : message.substring(0, 997) + "...";
    }
}
