package dev.ballot.operator.replace;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import java.util.Collection;
import java.util.List;

/**
 * Whether a cluster has bootstrapped, so its members start with {@code BALLOT_INITIAL_CLUSTER_STATE=existing}
 * (docs/node-api.md, Member identity): once the operator recorded it (the StatefulSet's annotation: it stays), or
 * once the leader reports the cluster's UUID and every voter of its configuration among the joined members. Until
 * then a member that starts empty may be a new cluster's; from then on it has lost its storage. Pure.
 */
public final class Bootstrapped {
    private Bootstrapped() {
    }

    /** @param recorded the StatefulSet's {@code ballot.dev/initial-cluster-state} annotation, or null */
    public static boolean of(String recorded, Collection<MemberObservation> members) {
        if (DesiredChildren.EXISTING.equals(recorded)) {
            return true;
        }
        return members.stream().filter(MemberObservation::isReachable).map(MemberObservation::status)
                .filter(r -> r.leads() && r.clusterUuid() != null && r.members() != null && !r.members().isEmpty())
                .anyMatch(Bootstrapped::everyVoterJoined);
    }

    private static boolean everyVoterJoined(ReportedStatus leader) {
        List<String> joined = leader.joinedMembers() == null ? List.of() : leader.joinedMembers();
        return leader.members().stream().filter(m -> "voter".equals(m.kind()))
                .allMatch(m -> joined.contains(m.id()));
    }
}
