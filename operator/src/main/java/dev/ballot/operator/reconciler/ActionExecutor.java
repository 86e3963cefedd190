package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.TransferRequest;
import dev.ballot.operator.actions.ActionStep;
import dev.ballot.operator.api.ElectionCluster;
import dev.ballot.operator.status.EventToPublish;
import java.util.Optional;

/**
 * Makes the executor call of a one-off action (status.actions) with the rollout's code: the same throttled leadership
 * transfer and the same uid-guarded pod delete (RolloutExecutor), so every call is made at most once however often
 * the decision repeats it. The action's own Events come from the decision (ActionPlanner).
 */
final class ActionExecutor {
    private final RolloutExecutor rollout;

    ActionExecutor(RolloutExecutor rollout) {
        this.rollout = rollout;
    }

    /** Returns the Event of what the call did, if it did something worth one. */
    Optional<EventToPublish> execute(ElectionCluster cluster, ActionStep step) {
        // replace-member / quorum-loss recovery and backup-now (issue #16) plug in here: one case per ActionStep.Op.
        return switch (step.op()) {
            case TRANSFER_LEADERSHIP -> {
                rollout.transferLeadership(cluster, step.member(), new TransferRequest(step.to()));
                yield Optional.empty();
            }
            case DELETE_POD -> rollout.deletePod(cluster, step.member(),
                    pod -> step.podUid().equals(pod.getMetadata().getUid()))
                    ? Optional.of(EventToPublish.normal("RestartingMember", "deleted pod " + step.member()
                    + " (restart-member) so the StatefulSet recreates it"))
                    : Optional.empty();
        };
    }
}
