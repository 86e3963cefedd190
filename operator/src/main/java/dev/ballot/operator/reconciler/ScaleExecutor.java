package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.AddMemberRequest;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import dev.ballot.nodeapi.TransferRequest;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.desired.Names;
import dev.ballot.operator.desired.NodeConfigFile;
import dev.ballot.operator.members.MemberUrls;
import dev.ballot.operator.scale.ScaleOutcome;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.step.Step;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Carries out the decision's scale step: a membership call to the leader through the node API's client (add,
 * promote, remove: idempotent on the node) or a leadership transfer, or only an Event when the step is a StatefulSet
 * resize (the managed workflow already applied the layout). One call per cluster in flight; the same step is
 * repeated at most every {@link #RETRY_AFTER}, since the members' reports lag behind the call's effect.
 */
final class ScaleExecutor {
    private static final Logger LOG = Logger.getLogger(ScaleExecutor.class);
    static final Duration RETRY_AFTER = Duration.ofSeconds(3);
    /** The node answers membership calls within its 5 s request deadline. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(8);

    private record Attempt(String step, long startedNanos, boolean inFlight) {
    }

    private final OperatorSettings settings;
    private final NodeClient nodes;
    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

    ScaleExecutor(OperatorSettings settings, NodeClient nodes) {
        this.settings = settings;
        this.nodes = nodes;
    }

    /** @param leader the leading member's name, or null (only resizes and waits happen without one) */
    Optional<EventToPublish> execute(ElectionCluster cluster, ScaleOutcome plan, String leader) {
        Step step = plan.step();
        if (!step.acts()) {
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
            return Optional.of(EventToPublish.normal("ScalingStatefulSet", "StatefulSet replicas "
                    + plan.layout().pods() + ": " + step.step()));
        }
        if (leader == null) {
            return Optional.empty();
        }
        NodeEndpoint node = nodes.at(MemberUrls.withTls(MemberUrls.ofPod(settings.memberUrlTemplate(), name, ns, leader),
                OperatorTls.enabled(cluster, settings)))
                .withTimeout(CALL_TIMEOUT);
        CompletableFuture<?> call;
        EventToPublish event;
        switch (step.kind()) {
            case ADD_MEMBER -> {
                int targetOrdinal = ordinal(step.target());
                String host = Names.peerHost(name, ns, targetOrdinal);
                boolean zab = cluster.getSpec().protocol == ConsensusProtocol.Zab;
                String address = zab ? host + ":" + NodeConfigFile.ZAB_QUORUM_PORT + ":"
                        + NodeConfigFile.ZAB_ELECTION_PORT : host + ":" + NodeConfigFile.RAFT_PORT;
                String kind = zab ? AddMemberRequest.OBSERVER : AddMemberRequest.LEARNER;
                call = node.addMemberAsync(new AddMemberRequest(step.target(), address, kind,
                        (long) targetOrdinal + 1, null));
                event = EventToPublish.normal("AddingMember", "asked leader " + leader + " to add " + step.target()
                        + " as " + kind + " (" + address + ")");
            }
            case PROMOTE -> {
                call = node.promoteAsync(step.target());
                event = EventToPublish.normal("PromotingMember", "asked leader " + leader + " to make "
                        + step.target() + " a voter (caught up)");
            }
            case REMOVE_MEMBER -> {
                call = node.removeMemberAsync(step.target());
                event = EventToPublish.normal("RemovingMember", "asked leader " + leader + " to remove "
                        + step.target() + " from the configuration; its pod goes once the removal is committed, "
                        + "its claim stays");
            }
            case TRANSFER_LEADERSHIP -> {
                call = node.transferLeadershipAsync(TransferRequest.toMostCaughtUp());
                event = EventToPublish.normal("TransferringLeadership", "asked " + leader
                        + " to hand leadership to a caught-up voter before it is removed");
            }
            default -> throw new IllegalStateException("unexpected step " + step);
        }
        Attempt attempt = new Attempt(step.step(), now, true);
        attempts.put(key, attempt);
        call.whenComplete((r, e) -> {
            attempts.replace(key, attempt, new Attempt(step.step(), System.nanoTime(), false));
            if (e != null) {
                LOG.warnf("%s: '%s' on %s failed: %s", key, step.step(), leader, e.getMessage());
            } else {
                LOG.infof("%s: '%s' on %s answered: %s", key, step.step(), leader, r);
            }
        });
        return Optional.of(event);
    }

    private static int ordinal(String pod) {
        return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
    }
}
