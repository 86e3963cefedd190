package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Publishes events as core/v1 Events on the cluster, in the order recorded, from one background thread, as
 * client-go's event broadcaster does: a reconcile hands its Events over and goes on to write the status, so a new
 * leader reaches status.leader without waiting for an Event's round trip to the API server per Event (a failover
 * records two or three). A failure to record is logged, never thrown; when the API server is so slow that
 * {@link #BACKLOG} Events wait, newer ones are dropped with a log line (Events are a courtesy; the status is the truth).
 */
final class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    static final String COMPONENT = "ballot-operator";
    static final int BACKLOG = 1000;

    private final KubernetesClient client;
    private final ThreadPoolExecutor publisher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(BACKLOG), r -> {
                Thread t = new Thread(r, "ballot-event-publisher");
                t.setDaemon(true);
                return t;
            });

    EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    /** Logs {@code event} now and queues it for the API server. */
    void record(ElectionCluster cluster, EventToPublish event) {
        var meta = cluster.getMetadata();
        String now = Instant.now().toString();
        LOG.infof("%s/%s %s %s: %s", meta.getNamespace(), meta.getName(), event.warning() ? "Warning" : "Normal",
                event.reason(), event.message());
        var built = build(cluster, event, now);
        try {
            publisher.execute(() -> create(meta.getNamespace(), meta.getName(), built));
        } catch (RejectedExecutionException e) {
            LOG.warnf("dropped event %s on %s/%s: %d events are still waiting for the API server", event.reason(),
                    meta.getNamespace(), meta.getName(), BACKLOG);
        }
    }

    private void create(String namespace, String cluster, io.fabric8.kubernetes.api.model.Event event) {
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (RuntimeException e) {
            LOG.warnf("could not record event %s on %s/%s: %s", event.getReason(), namespace, cluster, e.getMessage());
        }
    }

    private static io.fabric8.kubernetes.api.model.Event build(ElectionCluster cluster, EventToPublish event,
                                                               String now) {
        var meta = cluster.getMetadata();
        return new EventBuilder()
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
                .build();
    }

    private static String truncate(String message) {
        return message.length() <= 1000 ? message : message.substring(0, 997) + "...";
    }
}
