package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Lays an operation that is under way, or that needs a human, over the conditions the {@link StatusBuilder}
 * computed (scaling, volume growth): under way, Reconciling True and Ready False with the operation's reason;
 * blocked, Stalled True, Reconciling and Ready False, phase Stalled. Leaves alone a status that is paused or
 * already stalled for another reason. Pure.
 *
 * @param reason          the reason while under way, or while blocked
 * @param message         what Ready and Reconciling say
 * @param blocked         whether it needs a human
 * @param stalledMessage  what Stalled says when blocked: the field and the fix
 * @param keepFalseReady  leave a Ready that is already False with its own reason (unless blocked)
 */
public record OperationOverlay(String reason, String message, boolean blocked, String stalledMessage,
                               boolean keepFalseReady) {

    /** Whether this status takes no overlay: no conditions yet, stalled already, or paused. */
    public static boolean leavesAlone(ElectionClusterStatus status) {
        if (status.conditions == null || StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)) {
            return true;
        }
        Condition reconciling = StatusConditions.find(status.conditions, StatusConditions.RECONCILING);
        return reconciling != null && "Paused".equals(reconciling.getReason());
    }

    /** Rewrites the conditions and phase; returns the Warning to publish when the operation has just become blocked. */
    public Optional<EventToPublish> apply(ElectionClusterStatus status, List<Condition> previous, Instant now) {
        List<Condition> next = new ArrayList<>();
        for (Condition c : status.conditions) {
            long gen = c.getObservedGeneration() == null ? 0 : c.getObservedGeneration();
            String type = c.getType();
            boolean readyToOverride = blocked || !keepFalseReady || !"False".equals(c.getStatus());
            if (StatusConditions.READY.equals(type) && readyToOverride) {
                next.add(StatusConditions.condition(type, false, gen, reason, message));
            } else if (StatusConditions.RECONCILING.equals(type)) {
                next.add(StatusConditions.condition(type, !blocked, gen, reason, message));
            } else if (StatusConditions.STALLED.equals(type) && blocked) {
                next.add(StatusConditions.condition(type, true, gen, reason, stalledMessage));
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
        boolean wasBlocked = before != null && "True".equals(before.getStatus()) && reason.equals(before.getReason())
                && stalledMessage.equals(before.getMessage());
        return blocked && !wasBlocked ? Optional.of(EventToPublish.warning(reason, stalledMessage)) : Optional.empty();
    }
}
