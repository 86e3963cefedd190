package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Sends the Events that only repeat a new status ({@link EventToPublish#news}) on a thread of their own, in the order
 * given, so the reconcile that reports a new leader writes its status without first waiting for an Event's round
 * trip to the API server (on a loaded machine 200-500 ms, all of it added to the status lag a user sees). The queue
 * is bounded: when the API server is so slow that {@link #QUEUE} Events wait, a new one is dropped with a log line,
 * never the reconcile held.
 */
final class NewsEvents {
    static final int QUEUE = 256;
    private static final Logger LOG = Logger.getLogger(NewsEvents.class);

    private final KubernetesClient client;
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "ballot-news-events");
                t.setDaemon(true);
                return t;
            }, (r, executor) -> LOG.warnf("%d Events are waiting for the API server: one repeating the status was"
                    + " dropped", QUEUE));

    NewsEvents(KubernetesClient client) {
        this.client = client;
    }

    /** Queues {@code event} on {@code cluster}; returns at once. */
    void send(ElectionCluster cluster, EventToPublish event) {
        sender.execute(() -> EventRecorder.record(client, cluster, event));
    }
}
