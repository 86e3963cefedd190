package dev.ballot.operator.scale;

import dev.ballot.operator.step.Step;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.OperationOverlay;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Shows scaling in the status the {@link dev.ballot.operator.status.StatusBuilder} computed: while the voters
 * differ from spec.replicas, Ready is False and Reconciling True, both with reason {@code Scaling} and the step, and
 * {@code status.rollout} names the scale step when no rolling-update step is pending. When scaling needs a human,
 * Stalled is True and Reconciling False instead, with reason {@code ScalingBlocked}. Pure.
 */
public final class ScaleStatus {
    public static final String REASON = "Scaling";
    /** Stalled: scaling needs a human (see {@link Step.Kind#BLOCKED}). */
    public static final String BLOCKED_REASON = "ScalingBlocked";

    private ScaleStatus() {
    }

    /** Rewrites the conditions for scaling; returns a Warning to publish when scaling has just become blocked. */
    public static Optional<EventToPublish> apply(ElectionClusterStatus status, Step step, List<Condition> previous,
                                           Instant now) {
        if (!step.pending() || OperationOverlay.leavesAlone(status)) {
            return Optional.empty();
        }
        String message = "scaling: next " + step.step() + (step.blockedBy().isEmpty() ? ""
                : " (" + step.blockedBy() + ")");
        boolean blocked = step.kind() == Step.Kind.BLOCKED;
        Optional<EventToPublish> warning = new OperationOverlay(blocked ? BLOCKED_REASON : REASON, message, blocked,
                step.blockedBy(), false).apply(status, previous, now);
        if (status.rollout == null || status.rollout.step == null || status.rollout.step.isEmpty()) {
            status.rollout = new RolloutStatus(step.step(), step.blockedBy());
        }
        return warning;
    }
}
