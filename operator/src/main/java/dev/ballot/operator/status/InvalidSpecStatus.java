package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.RolloutStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status of a cluster whose spec is invalid: what runs is still reported as last seen, and it says plainly that
 * nothing will change until the spec is fixed (Stalled, reason InvalidSpec). Pure.
 */
final class InvalidSpecStatus {
    private InvalidSpecStatus() {
    }

    /** Fills {@code s}; returns the Warning to publish when the problems are new. */
    static List<EventToPublish> fill(ElectionClusterStatus s, ElectionClusterStatus prev, List<String> problems,
                                     long gen, Instant now) {
        String why = String.join("; ", problems);
        copyObservedFacts(prev, s);
        List<Condition> conditions = List.of(
                StatusConditions.condition(StatusConditions.READY, false, gen, "InvalidSpec", why),
                carry(prev, StatusConditions.AVAILABLE, gen, false, "Unknown",
                        "availability unknown while the spec is invalid"),
                StatusConditions.condition(StatusConditions.RECONCILING, false, gen, "InvalidSpec",
                        "the operator changes nothing until the spec is fixed"),
                StatusConditions.condition(StatusConditions.STALLED, true, gen, "InvalidSpec", why),
                carry(prev, StatusConditions.DEGRADED, gen, false, "Unknown", "not evaluated"));
        s.conditions = StatusConditions.withTransitionTimes(prev.conditions, conditions, now);
        s.phase = "Stalled";
        s.rollout = new RolloutStatus("", "invalid spec: " + why);
        List<EventToPublish> events = new ArrayList<>();
        if (!StatusConditions.isTrue(prev.conditions, StatusConditions.STALLED)
                || !Objects.equals(StatusConditions.messageOf(prev.conditions, StatusConditions.STALLED), why)) {
            events.add(EventToPublish.warning("InvalidSpec", why));
        }
        return events;
    }

    private static void copyObservedFacts(ElectionClusterStatus prev, ElectionClusterStatus s) {
        s.leader = prev.leader;
        s.term = prev.term;
        s.leaderSince = prev.leaderSince;
        s.leaderChanges = prev.leaderChanges;
        s.replicas = prev.replicas;
        s.readyReplicas = prev.readyReplicas;
        s.updatedReplicas = prev.updatedReplicas;
        s.members = prev.members == null ? new ArrayList<>() : prev.members;
        s.quorum = prev.quorum;
    }

    /** The previous condition of that type at this generation, unchanged; the given one when there was none. */
    private static Condition carry(ElectionClusterStatus prev, String type, long gen, boolean status, String reason,
                                   String message) {
        Condition old = StatusConditions.find(prev.conditions, type);
        if (old == null) {
            return StatusConditions.condition(type, status, gen, reason, message);
        }
        return new Condition(old.getLastTransitionTime(), old.getMessage(), gen, old.getReason(), old.getStatus(),
                type);
    }
}
