package dev.ballot.operator.scale;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows scaling in the status the {@link dev.ballot.operator.status.StatusBuilder} computed: while the voters
 * differ from spec.replicas, Ready is False and Reconciling True, both with reason {@code Scaling} and the step, and
 * {@code status.rollout} names the scale step when no rolling-update step is pending. Pure.
 */
public final class ScaleStatus {
    public static final String REASON = "Scaling";

    private ScaleStatus() {
    }

    public static void apply(ElectionClusterStatus status, ScaleStep step, List<Condition> previous, Instant now) {
        if (!step.scaling() || status.conditions == null
                || StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)
                || "Paused".equals(reasonOf(status.conditions, StatusConditions.RECONCILING))) {
            return;
        }
        String message = "scaling: next " + step.step() + (step.blockedBy().isEmpty() ? ""
                : " (" + step.blockedBy() + ")");
        List<Condition> next = new ArrayList<>();
        for (Condition c : status.conditions) {
            if (StatusConditions.READY.equals(c.getType())) {
                next.add(StatusConditions.condition(c.getType(), false, c.getObservedGeneration(), REASON,
                        message));
            } else if (StatusConditions.RECONCILING.equals(c.getType())) {
                next.add(StatusConditions.condition(c.getType(), true, c.getObservedGeneration(), REASON, message));
            } else {
                next.add(c);
            }
        }
        status.conditions = StatusConditions.withTransitionTimes(previous, next, now);
        if ("Running".equals(status.phase)) {
            status.phase = "Updating";
        }
        if (status.rollout == null || status.rollout.step == null || status.rollout.step.isEmpty()) {
            status.rollout = new RolloutStatus(step.step(), step.blockedBy());
        }
    }

    private static String reasonOf(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getReason();
    }
}
