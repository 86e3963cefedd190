package dev.ballot.operator.reconciler;

import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.members.MemberUrls;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.desired.NodeConfigFile;
import dev.ballot.operator.scale.ScaleOutcome;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.status.EventToPublish;
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
 * Carries out the scale planner's step: a membership call to the leader ({@code /v1/admin/members}, idempotent on
 * the node) or leadership transfer, or only an Event when the step is a StatefulSet resize (the managed workflow
 * already applied the layout). One call per cluster in flight; the same step is repeated at most every
 * {@link #RETRY_AFTER}, since the members' reports lag behind the call's effect.
 */
final class ScaleExecutor {
    private static final Logger LOG = Logger.getLogger(ScaleExecutor.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(3);
    /** The node answers membership calls within its 5 s request deadline. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);

    private record Attempt(String step, long startedNanos, boolean inFlight) {
    }

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final HttpClient http;
    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

    ScaleExecutor(KubernetesClient client, OperatorSettings settings) {
        this.client = client;
        this.settings = settings;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.memberRequestTimeout()).build();
    }

    /** @param leader the leading member's name, or null (only resizes and waits happen without one) */
    Optional<EventToPublish> execute(ElectionCluster cluster, ScaleOutcome plan, String leader) {
        Step step = plan.step();
        if (step.kind() == Step.Kind.NONE || step.kind() == Step.Kind.WAIT
                || step.kind() == Step.Kind.BLOCKED) {
            return Optional.empty();
        }
        String ns = cluster.getMetadata().getNamespace();
        String name = cluster.getMetadata().getName();
        String key = ns + "/" + name;
        long now = System.nanoTime();
        Attempt last = attempts.get(key);
        if (last != null && last.step().equals(step.step())
                && (last.inFlight() || now - last.startedNanos() < RETRY_AFTER.toNanos())) {
            return Optional.empty();
        }
        if (step.kind() == Step.Kind.RESIZE) {
            attempts.put(key, new Attempt(step.step(), now, false));
            return Optional.of(EventToPublish.normal("ScalingStatefulSet", "StatefulSet replicas " + plan.layout().pods()
                    + ": " + step.step()));
        }
        if (leader == null) {
            return Optional.empty();
        }
        ConsensusProtocol protocol = cluster.getSpec().protocol;
        int targetOrdinal = ordinal(step.target());
        HttpRequest.Builder request;
        EventToPublish event;
        String root = MemberUrls.ofPod(settings.memberUrlTemplate(), name, ns, leader).toString();
        switch (step.kind()) {
            case ADD_MEMBER -> {
                String host = Names.peerHost(name, ns, targetOrdinal);
                boolean zab = protocol == ConsensusProtocol.Zab;
                String address = zab ? host + ":" + NodeConfigFile.ZAB_QUORUM_PORT + ":" + NodeConfigFile.ZAB_ELECTION_PORT
                        : host + ":" + NodeConfigFile.RAFT_PORT;
                String body = "{\"id\":\"" + step.target() + "\",\"memberId\":" + (targetOrdinal + 1)
                        + ",\"address\":\"" + address + "\",\"kind\":\"" + (zab ? "observer" : "learner") + "\"}";
                request = HttpRequest.newBuilder(URI.create(root + "/v1/admin/members"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
                event = EventToPublish.normal("AddingMember", "asked leader " + leader + " to add " + step.target()
                        + " as " + (zab ? "observer" : "learner") + " (" + address + ")");
            }
            case PROMOTE -> {
                request = HttpRequest.newBuilder(URI.create(root + "/v1/admin/members/" + step.target() + "/promote"))
                        .POST(HttpRequest.BodyPublishers.noBody());
                event = EventToPublish.normal("PromotingMember", "asked leader " + leader + " to make " + step.target()
                        + " a voter (caught up)");
            }
            case REMOVE_MEMBER -> {
                request = HttpRequest.newBuilder(URI.create(root + "/v1/admin/members/" + step.target())).DELETE();
                event = EventToPublish.normal("RemovingMember", "asked leader " + leader + " to remove " + step.target()
                        + " from the configuration; its pod goes once the removal is committed, its claim stays");
            }
            case TRANSFER_LEADERSHIP -> {
                request = HttpRequest.newBuilder(URI.create(root + "/v1/admin/transfer-leadership"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"));
                event = EventToPublish.normal("TransferringLeadership", "asked " + leader
                        + " to hand leadership to a caught-up voter before it is removed");
            }
            default -> throw new IllegalStateException("unexpected step " + step);
        }
        Attempt attempt = new Attempt(step.step(), now, true);
        attempts.put(key, attempt);
        http.sendAsync(request.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> {
                    attempts.replace(key, attempt, new Attempt(step.step(), System.nanoTime(), false));
                    if (e != null) {
                        LOG.warnf("%s: '%s' on %s failed: %s", key, step.step(), leader, e.getMessage());
                    } else if (r.statusCode() / 100 != 2) {
                        LOG.warnf("%s: '%s' on %s answered %d: %s", key, step.step(), leader, r.statusCode(),
                                r.body());
                    } else {
                        LOG.infof("%s: '%s' on %s answered %d: %s", key, step.step(), leader, r.statusCode(),
                                r.body());
                    }
                });
        return Optional.of(event);
    }

    private static int ordinal(String pod) {
        return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
    }
}
