package dev.ballot.operator.scale;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.status.Decision;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
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
    /** Stalled: scaling needs a human (see {@link ScaleStep.Kind#BLOCKED}). */
    public static final String BLOCKED_REASON = "ScalingBlocked";

    private ScaleStatus() {
    }

    /** Rewrites the conditions for scaling; returns a Warning to publish when scaling has just become blocked. */
    public static Optional<Decision> apply(ElectionClusterStatus status, ScaleStep step, List<Condition> previous,
                                           Instant now) {
        if (!step.scaling() || status.conditions == null
                || StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)
                || "Paused".equals(reasonOf(status.conditions, StatusConditions.RECONCILING))) {
            return Optional.empty();
        }
        String message = "scaling: next " + step.step() + (step.blockedBy().isEmpty() ? ""
                : " (" + step.blockedBy() + ")");
        boolean blocked = step.kind() == ScaleStep.Kind.BLOCKED;
        String reason = blocked ? BLOCKED_REASON : REASON;
        List<Condition> next = new ArrayList<>();
        for (Condition c : status.conditions) {
            if (StatusConditions.READY.equals(c.getType())) {
                next.add(StatusConditions.condition(c.getType(), false, c.getObservedGeneration(), reason, message));
            } else if (StatusConditions.RECONCILING.equals(c.getType())) {
                next.add(StatusConditions.condition(c.getType(), !blocked, c.getObservedGeneration(), reason,
                        message));
            } else if (StatusConditions.STALLED.equals(c.getType()) && blocked) {
                next.add(StatusConditions.condition(c.getType(), true, c.getObservedGeneration(), reason,
                        step.blockedBy()));
            } else {
                next.add(c);
            }
        }
        status.conditions = StatusConditions.withTransitionTimes(previous, next, now);
        if (blocked) {
            status.phase = "Stalled";
        } else if ("Running".equals(status.phase)) {
            status.phase = "Updating";
        }
        if (status.rollout == null || status.rollout.step == null || status.rollout.step.isEmpty()) {
            status.rollout = new RolloutStatus(step.step(), step.blockedBy());
        }
        Condition before = StatusConditions.find(previous, StatusConditions.STALLED);
        boolean wasBlocked = before != null && BLOCKED_REASON.equals(before.getReason())
                && step.blockedBy().equals(before.getMessage());
        return blocked && !wasBlocked ? Optional.of(Decision.warning(BLOCKED_REASON, step.blockedBy()))
                : Optional.empty();
    }

    private static String reasonOf(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getReason();
    }
}
