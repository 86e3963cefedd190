package dev.ballot.operator.storage;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.OperationOverlay;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
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
    public static Optional<EventToPublish> apply(ElectionClusterStatus status, VolumeGrowth plan, List<Condition> previous,
                                           Instant now) {
        if (plan.converged() || OperationOverlay.leavesAlone(status)) {
            return Optional.empty();
        }
        boolean blocked = plan.blocked();
        return new OperationOverlay(blocked ? BLOCKED : RESIZING, plan.summary(), blocked, plan.summary(), true)
                .apply(status, previous, now);
    }
}
