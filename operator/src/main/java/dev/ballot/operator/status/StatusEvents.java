package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Events a new status is worth, on transitions only (so a status computed again publishes nothing), and the
 * Warnings a stored status still stands for, for an operator process that takes over. Pure.
 */
public final class StatusEvents {
    private StatusEvents() {
    }

    /**
     * What the conditions say now, as the Events compare it with the previous status.
     *
     * @param restarting members whose pod is terminating or not Ready: a member that stops answering then is
     *                   restarting (a rollout, a restart action, a crash the kubelet already saw), which its pod's own
     *                   Events and the Degraded condition tell; MemberUnreachable is for a member whose pod serves
     */
    record Now(long generation, List<String> warnings, String stalledReason, String stalledMessage, boolean paused,
               boolean degraded, String degradedReason, String degradedMessage, String summary,
               Set<String> restarting) {
    }

    /**
     * The Warnings {@code status} records (a Degraded condition that is True, members that do not answer), as news:
     * what an operator process announces at its first reconcile of a cluster, in case the process before it wrote
     * the status and was killed before the Events went out (one that did send them shows the Warning twice).
     */
    public static List<EventToPublish> stillTrue(ElectionClusterStatus status) {
        List<EventToPublish> out = new ArrayList<>();
        if (status == null) {
            return out;
        }
        var degraded = StatusConditions.find(status.conditions, StatusConditions.DEGRADED);
        if (degraded != null && "True".equals(degraded.getStatus()) && degraded.getReason() != null) {
            out.add(EventToPublish.warningNews(degraded.getReason(), degraded.getMessage()));
        }
        if (status.members != null && QuorumHealth.formedBefore(status)) {
            status.members.stream().filter(m -> Boolean.FALSE.equals(m.reachable))
                    .forEach(m -> out.add(memberUnreachable(m)));
        }
        return out;
    }

    static EventToPublish memberUnreachable(MemberStatus m) {
        return EventToPublish.warningNews("MemberUnreachable", m.name + " " + m.message);
    }

    static void onTransitions(ElectionClusterStatus prev, ElectionClusterStatus s, Now n, List<EventToPublish> events) {
        if (!n.warnings().isEmpty() && !Objects.equals(prev.observedGeneration, n.generation())) {
            events.add(EventToPublish.warning("EvenVoters", String.join("; ", n.warnings())));
        }
        if (StatusConditions.isTrue(prev.conditions, StatusConditions.STALLED) && n.stalledReason() == null) {
            events.add(EventToPublish.news("Unstalled", "the operator can make progress again"));
        }
        if (n.stalledReason() != null && !Objects.equals(n.stalledMessage(),
                StatusConditions.messageOf(prev.conditions, StatusConditions.STALLED))) {
            events.add(EventToPublish.warning(n.stalledReason(), n.stalledMessage()));
        }
        boolean wasPaused = "Paused".equals(StatusConditions.reasonOf(prev.conditions, StatusConditions.RECONCILING));
        if (n.paused() && !wasPaused) {
            events.add(EventToPublish.news("Paused", "spec.paused is true: changing nothing, still reporting status"));
        } else if (!n.paused() && wasPaused) {
            events.add(EventToPublish.news("Resumed", "spec.paused is false: reconciling again"));
        }
        if (n.degraded() && !Objects.equals(n.degradedReason(),
                StatusConditions.reasonOf(prev.conditions, StatusConditions.DEGRADED))) {
            events.add(EventToPublish.warningNews(n.degradedReason(), n.degradedMessage()));
        } else if (!n.degraded() && StatusConditions.isTrue(prev.conditions, StatusConditions.DEGRADED)
                && !"Electing".equals(n.degradedReason())) {
            events.add(EventToPublish.news("QuorumHealthy", n.summary()));
        }
        boolean noSpace = StatusConditions.isTrue(s.conditions, KeyspaceQuotaCondition.TYPE);
        boolean hadNoSpace = StatusConditions.isTrue(prev.conditions, KeyspaceQuotaCondition.TYPE);
        if (noSpace && !hadNoSpace) {
            events.add(EventToPublish.warning(KeyspaceQuotaCondition.NO_SPACE,
                    StatusConditions.messageOf(s.conditions, KeyspaceQuotaCondition.TYPE)));
        } else if (!noSpace && hadNoSpace && StatusConditions.find(s.conditions, KeyspaceQuotaCondition.TYPE) != null) {
            events.add(EventToPublish.news("SpaceFreed", "no member reports the NOSPACE alarm any more: writes are"
                    + " accepted again"));
        }
        // Members of a cluster being created, and members new to the status (a scale-up), are starting: their pods
        // are not Ready and their names do not resolve yet, which is not news (it was one or two Warnings per member
        // at every creation: 4 for raft-3, 12 for zab-5).
        if (!QuorumHealth.formedBefore(prev)) {
            return;
        }
        for (MemberStatus m : s.members) {
            MemberStatus old = prev.members == null ? null
                    : prev.members.stream().filter(x -> m.name.equals(x.name)).findFirst().orElse(null);
            if (Boolean.FALSE.equals(m.reachable) && old != null && !Boolean.FALSE.equals(old.reachable)
                    && !n.restarting().contains(m.name)) {
                events.add(memberUnreachable(m));
            } else if (Boolean.TRUE.equals(m.reachable) && old != null && Boolean.FALSE.equals(old.reachable)) {
                events.add(EventToPublish.news("MemberReachable", m.name + " answers again as " + m.role));
            }
        }
    }
}
