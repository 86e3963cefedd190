package dev.ballot.operator.members;

import java.util.List;
import java.util.Objects;

/**
 * What the operator last learned about one member: its report, or why it could not get one.
 * {@code status} is null when the member did not answer.
 *
 * @param answeredBefore whether this operator process has had an answer from the member at all. A failed first
 *                       contact says little about the member: a freshly started operator's first TLS handshakes on a
 *                       cold JVM can outlast the request deadline (seen in CI: a false QuorumLost right after an
 *                       operator restart), so the status counts such a member as not heard from yet, within the grace.
 */
public record MemberObservation(String name, ReportedStatus status, String error, boolean answeredBefore) {

    public static MemberObservation reachable(String name, ReportedStatus status) {
        return new MemberObservation(name, status, null, true);
    }

    /** A member that answered this operator before and does not now. */
    public static MemberObservation unreachable(String name, String error) {
        return new MemberObservation(name, null, error, true);
    }

    /** A member that has not answered this operator yet: its first contacts failed. */
    public static MemberObservation notAnsweredYet(String name, String error) {
        return new MemberObservation(name, null, error, false);
    }

    public boolean isReachable() {
        return status != null;
    }

    /** Unreachable, and never reached by this operator: nothing is known about its health yet. */
    public boolean neverAnswered() {
        return status == null && !answeredBefore;
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
                status.noSpaceAlarm(), // raised or cleared: KeyspaceQuotaExceeded at once, not at the next refresh
                // a reload of its certificates: a CA rotation's next step at once
                status.tls() == null ? "no tls" : List.of(Objects.toString(status.tls().certificateSha256()),
                        Objects.toString(status.tls().issuerSha256()), status.tls().trustedCaSha256()));
    }
}
