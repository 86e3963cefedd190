package dev.ballot.operator.replace;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.OperationOverlay;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Shows a member replacement in the status the {@link dev.ballot.operator.status.StatusBuilder} computed: each member
 * that reports it lost its storage has {@code needsReplacement: true} and says why; while one is replaced, Ready is
 * False and Reconciling True with reason {@code ReplacingMember} and the step, and {@code status.rollout} names it.
 * A Warning when a replacement starts, a Normal Event when it is done. Pure.
 */
public final class ReplacementStatus {
    public static final String REASON = "ReplacingMember";
    static final String LOST = "lost its storage while in the configuration: it does not vote and serves nothing "
            + "until the operator replaces it (removed, added again empty as a learner/observer, caught up, promoted)";

    private ReplacementStatus() {
    }

    /** Rewrites the status for {@code replacement}; returns the Events to publish. */
    public static List<EventToPublish> apply(ElectionClusterStatus status, Replacement replacement,
                                             Map<String, MemberObservation> members, List<Condition> previous,
                                             Instant now) {
        for (MemberStatus m : status.members == null ? List.<MemberStatus>of() : status.members) {
            MemberObservation obs = members.get(m.name);
            boolean says = obs != null && obs.isReachable() && obs.status().needsReplacing();
            if (says || replacement.active() && m.name.equals(replacement.target()) && !replacement.rejoining()
                    && (obs == null || !obs.isReachable())) {
                m.needsReplacement = true;
                m.message = m.name + " " + LOST;
            }
        }
        List<EventToPublish> events = new ArrayList<>();
        boolean was = REASON.equals(StatusConditions.reasonOf(previous, StatusConditions.RECONCILING));
        if (!replacement.active()) {
            if (was) {
                events.add(EventToPublish.normal("MemberReplaced", "the replaced member is a voter again; "
                        + "no member needs replacing"));
            }
            return events;
        }
        if (OperationOverlay.leavesAlone(status)) {
            return events;
        }
        var step = replacement.step();
        String message = "replacing " + replacement.target() + ": next " + step.step()
                + (step.blockedBy().isEmpty() ? "" : " (" + step.blockedBy() + ")");
        new OperationOverlay(REASON, message, false, "", false).apply(status, previous, now);
        status.rollout = new RolloutStatus(step.step(), step.blockedBy());
        if (!was) {
            events.add(EventToPublish.warning("MemberNeedsReplacement", replacement.target() + " " + LOST
                    + "; replacing it now"));
        }
        return events;
    }
}
