package dev.ballot.operator.storage;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.status.Decision;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shows volume growth in the status the StatusBuilder computed. Under way: Reconciling True with reason
 * {@code ResizingVolumes} (and Ready False with it, if it was True). Blocked: Stalled True with reason
 * {@code VolumeResizeBlocked} and a message naming the field and the fix, Reconciling and Ready False. Leaves the
 * status alone when paused or already stalled for another reason. Pure.
 */
public final class VolumeStatus {
    public static final String RESIZING = "ResizingVolumes";
    public static final String BLOCKED = "VolumeResizeBlocked";

    private VolumeStatus() {
    }

    /** Rewrites the conditions; returns the Warning to publish when the resize has just become blocked. */
    public static Optional<Decision> apply(ElectionClusterStatus status, VolumePlan plan, List<Condition> previous,
                                           Instant now) {
        if (plan.converged() || status.conditions == null
                || StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)
                || "Paused".equals(reasonOf(status.conditions, StatusConditions.RECONCILING))) {
            return Optional.empty();
        }
        boolean blocked = plan.blocked();
        String message = plan.summary();
        List<Condition> next = new ArrayList<>();
        for (Condition c : status.conditions) {
            long gen = c.getObservedGeneration() == null ? 0 : c.getObservedGeneration();
            if (StatusConditions.READY.equals(c.getType()) && (blocked || "True".equals(c.getStatus()))) {
                next.add(StatusConditions.condition(c.getType(), false, gen, blocked ? BLOCKED : RESIZING, message));
            } else if (StatusConditions.RECONCILING.equals(c.getType())) {
                next.add(StatusConditions.condition(c.getType(), !blocked, gen, blocked ? BLOCKED : RESIZING,
                        message));
            } else if (StatusConditions.STALLED.equals(c.getType()) && blocked) {
                next.add(StatusConditions.condition(c.getType(), true, gen, BLOCKED, message));
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
        Condition before = StatusConditions.find(previous, StatusConditions.STALLED);
        boolean wasBlocked = before != null && "True".equals(before.getStatus())
                && BLOCKED.equals(before.getReason()) && message.equals(before.getMessage());
        return blocked && !wasBlocked ? Optional.of(Decision.warning(BLOCKED, message)) : Optional.empty();
    }

    private static String reasonOf(List<Condition> conditions, String type) {
        Condition c = StatusConditions.find(conditions, type);
        return c == null ? null : c.getReason();
    }
}
