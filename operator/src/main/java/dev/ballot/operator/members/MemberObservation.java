package dev.ballot.operator.members;

import java.util.List;
import java.util.Objects;

/**
 * What the operator last learned about one member: its report, or why it could not get one.
 * {@code status} is null when the member did not answer.
 */
public record MemberObservation(String name, ReportedStatus status, String error) {

    public static MemberObservation reachable(String name, ReportedStatus status) {
        return new MemberObservation(name, status, null);
    }

    public static MemberObservation unreachable(String name, String error) {
        return new MemberObservation(name, null, error);
    }

    public boolean isReachable() {
        return status != null;
    }

    /**
     * The part of an observation that changes the cluster's story: reachability, role, term, leader, membership.
     * Progress counters (indexes, lastContactMs) are left out so they do not trigger a reconcile on every heartbeat.
     */
    public Object significantPart() {
        if (status == null) {
            return List.of("unreachable");
        }
        List<Object> members = status.members() == null ? List.of()
                : status.members().stream().map(m -> m.id() + "/" + m.kind()).sorted().map(Object.class::cast)
                .toList();
        return List.of(Objects.toString(status.role()), Objects.toString(status.term()),
                Objects.toString(status.leaderId()), members, Objects.toString(status.clusterUuid()),
                Objects.toString(status.joinedMembers()), status.needsReplacing(),
                status.noSpaceAlarm()); // raised or cleared: KeyspaceQuotaExceeded at once, not at the next refresh
    }
}
