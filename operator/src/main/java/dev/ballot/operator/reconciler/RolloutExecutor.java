package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import dev.ballot.nodeapi.StatusReport;
import dev.ballot.nodeapi.TransferRequest;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.members.MemberUrls;
import dev.ballot.operator.rollout.LeaderProgress;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.status.EventToPublish;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Carries out the decision's rollout step at the edges: deletes one outdated pod (by uid, so a stale cache can never
 * delete its replacement), or asks the leader to hand over leadership (one request in flight per cluster, a failed
 * one retried after {@link #TRANSFER_RETRY}). Also reads the leader's fresh progress, which the decision asks for
 * before a step that costs a voter (RolloutPlanner.confirm).
 */
final class RolloutExecutor {
    private static final Logger LOG = Logger.getLogger(RolloutExecutor.class);
    /** A refused or failed transfer is asked again after this long, if the planner still wants it. */
    static final Duration TRANSFER_RETRY = Duration.ofSeconds(2);
    /** A transfer answers once leadership has moved, within the node's election timeouts. */
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final OperatorSettings settings;
    private final NodeClient nodes;
    /** Pod uids this operator deleted (uid to nanoTime), so a stale cache does not make it ask twice. */
    private final Map<String, Long> deleted = new ConcurrentHashMap<>();
    /** Per cluster: nanoTime when the last transfer request ended, or {@code IN_FLIGHT}. */
    private final Map<String, Long> transfers = new ConcurrentHashMap<>();
    private static final long IN_FLIGHT = Long.MIN_VALUE;

    RolloutExecutor(KubernetesClient client, OperatorSettings settings, NodeClient nodes) {
        this.client = client;
        this.settings = settings;
        this.nodes = nodes;
    }

    /**
     * Carries out a confirmed RESTART or TRANSFER_LEADERSHIP; {@code revisionSeen} is the revision the decision saw
     * on the target pod. Returns the Event to publish, if it acted.
     */
    Optional<EventToPublish> execute(ElectionCluster cluster, Step step, String revisionSeen) {
        if (step.kind() == Step.Kind.RESTART) {
            return restart(cluster, step.target(), revisionSeen, "so it restarts with the current template (one member"
                    + " at a time)");
        }
        if (step.kind() == Step.Kind.TRANSFER_LEADERSHIP) {
            return transfer(cluster, step.target());
        }
        return Optional.empty();
    }

    /**
     * Deletes the pod the planner saw as outdated: read afresh, skipped when it is already going or the name
     * already holds a pod of another revision (the replacement), deleted with its uid as a precondition, and never
     * twice.
     */
    /** Deletes the target's pod ({@code why} ends the Event), as {@link #execute} does for a rollout's restart. */
    Optional<EventToPublish> restart(ElectionCluster cluster, Step step, String revisionSeen, String why) {
        return restart(cluster, step.target(), revisionSeen, why);
    }

    private Optional<EventToPublish> restart(ElectionCluster cluster, String name, String revisionSeen, String why) {
        boolean done = deletePod(cluster, name, pod -> Objects.equals(revisionSeen,
                pod.getMetadata().getLabels() == null ? null
                        : pod.getMetadata().getLabels().get("controller-revision-hash")));
        return done ? Optional.of(EventToPublish.normal("RestartingMember", "deleted pod " + name + " " + why))
                : Optional.empty();
    }

    /**
     * Deletes pod {@code name} if it is still the one meant ({@code meant}, read afresh) and not already going, with
     * its uid as a precondition, and never the same uid twice. True when this call deleted it. Used by the rollout
     * (the pod of the revision it saw) and by restart-member (the pod of the uid it recorded).
     */
    boolean deletePod(ElectionCluster cluster, String name, Predicate<Pod> meant) {
        long now = System.nanoTime();
        deleted.values().removeIf(t -> now - t > Duration.ofMinutes(10).toNanos());
        String ns = cluster.getMetadata().getNamespace();
        Pod pod = client.pods().inNamespace(ns).withName(name).get();
        if (pod == null || pod.getMetadata().getDeletionTimestamp() != null || !meant.test(pod)) {
            return false;
        }
        String uid = pod.getMetadata().getUid();
        if (deleted.putIfAbsent(uid, now) != null) {
            return false;
        }
        try {
            client.raw("/api/v1/namespaces/" + ns + "/pods/" + name, "DELETE", Map.of("kind", "DeleteOptions",
                    "apiVersion", "v1", "preconditions", Map.of("uid", uid)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return false; // gone already, or the name holds a replacement: nothing to restart
            }
            deleted.remove(uid);
            throw e;
        }
        return true;
    }

    private Optional<EventToPublish> transfer(ElectionCluster cluster, String leader) {
        return transferLeadership(cluster, leader, TransferRequest.toMostCaughtUp())
                ? Optional.of(EventToPublish.normal("TransferringLeadership", "asked " + leader
                + " to hand leadership to a caught-up follower before it restarts")) : Optional.empty();
    }

    /**
     * Asks {@code leader} to hand over leadership as {@code request} says, unless a request for this cluster is in
     * flight or ended less than {@link #TRANSFER_RETRY} ago. True when this call sent it. The answer is only
     * logged: the members' reports show whether leadership moved.
     */
    boolean transferLeadership(ElectionCluster cluster, String leader, TransferRequest request) {
        String key = cluster.getMetadata().getNamespace() + "/" + cluster.getMetadata().getName();
        long now = System.nanoTime();
        Long last = transfers.get(key);
        if (last != null && (last == IN_FLIGHT || now - last < TRANSFER_RETRY.toNanos())) {
            return false;
        }
        transfers.put(key, IN_FLIGHT);
        member(cluster, leader).withTimeout(TRANSFER_TIMEOUT)
                .transferLeadershipAsync(request).whenComplete((r, e) -> {
                    transfers.put(key, System.nanoTime());
                    if (e != null) {
                        LOG.warnf("transfer-leadership on %s failed: %s", leader, e.getMessage());
                    } else {
                        LOG.infof("transfer-leadership on %s answered: %s", leader, r);
                    }
                });
        return true;
    }

    /** The named leader's own report, if it answers and still leads (read for the decision, see ClusterObserver). */
    Optional<LeaderProgress> leaderProgress(ElectionCluster cluster, String leader) {
        if (leader == null || leader.isEmpty()) {
            return Optional.empty();
        }
        try {
            StatusReport s = member(cluster, leader).status();
            if (!s.leads()) {
                return Optional.empty();
            }
            Map<String, Long> match = new HashMap<>();
            s.members().stream().filter(m -> m.id() != null && m.matchIndex() != null)
                    .forEach(m -> match.put(m.id(), m.matchIndex()));
            return Optional.of(new LeaderProgress(s.nodeId(), s.lastLogIndex(), match));
        } catch (java.io.IOException e) {
            LOG.debugf("reading %s's progress failed: %s", leader, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    NodeEndpoint member(ElectionCluster cluster, String member) {
        return nodes.at(MemberUrls.withTls(MemberUrls.ofPod(settings.memberUrlTemplate(), cluster.getMetadata().getName(),
                cluster.getMetadata().getNamespace(), member), OperatorTls.enabled(cluster, settings)));
    }
}
