package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberUrls;
import dev.ballot.operator.plan.MemberEndpoint;
import dev.ballot.operator.plan.Names;
import dev.ballot.operator.rollout.RolloutAction;
import dev.ballot.operator.status.Decision;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Carries out the rollout planner's step: deletes one outdated pod, or asks the leader to hand over leadership.
 * The same step is not repeated within {@link #REPEAT_AFTER}, since informer caches lag behind the API server.
 */
final class RolloutExecutor {
    private static final Logger LOG = Logger.getLogger(RolloutExecutor.class);
    static final Duration REPEAT_AFTER = Duration.ofSeconds(15);

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final Map<String, Long> lastStepNanos = new ConcurrentHashMap<>();
    private final HttpClient http;

    RolloutExecutor(KubernetesClient client, OperatorSettings settings) {
        this.client = client;
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.memberRequestTimeout()).build();
    }

    Optional<Decision> execute(ElectionCluster cluster, RolloutAction action, ElectionClusterStatus status) {
        if (action.kind() != RolloutAction.Kind.RESTART && action.kind() != RolloutAction.Kind.TRANSFER_LEADERSHIP) {
            return Optional.empty();
        }
        String ns = cluster.getMetadata().getNamespace();
        String key = ns + "/" + cluster.getMetadata().getName() + "/" + action.step();
        long now = System.nanoTime();
        Long last = lastStepNanos.get(key);
        if (last != null && now - last < REPEAT_AFTER.toNanos()) {
            return Optional.empty();
        }
        lastStepNanos.put(key, now);
        if (action.kind() == RolloutAction.Kind.RESTART) {
            client.pods().inNamespace(ns).withName(action.target()).delete();
            return Optional.of(Decision.normal("RestartingMember", "deleted pod " + action.target()
                    + " so it restarts with the current template (one member at a time)"));
        }
        int ordinal = Integer.parseInt(action.target().substring(action.target().lastIndexOf('-') + 1));
        MemberEndpoint leader = new MemberEndpoint(action.target(), ordinal + 1, true,
                Names.peerHost(cluster.getMetadata().getName(), ns, ordinal));
        URI base = MemberUrls.base(settings.memberUrlTemplate(), cluster.getMetadata().getName(), ns, leader);
        HttpRequest request = HttpRequest.newBuilder(base.resolve(base.getPath() + "/v1/admin/transfer-leadership"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            if (e != null) {
                LOG.warnf("transfer-leadership on %s failed: %s", action.target(), e.getMessage());
            } else {
                LOG.infof("transfer-leadership on %s answered %d: %s", action.target(), r.statusCode(), r.body());
            }
        });
        return Optional.of(Decision.normal("TransferringLeadership", "asked " + action.target()
                + " to hand leadership to a caught-up follower before it restarts"));
    }
}
