package dev.ballot.operator.replace;

import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.List;

/**
 * Whether a cluster has bootstrapped, so its members start with {@code BALLOT_INITIAL_CLUSTER_STATE=existing}
 * (docs/node-api.md, Member identity): once the operator recorded it (the StatefulSet's annotation: it stays), or
 * once the leader reports the cluster's UUID and every voter of its configuration among the joined members, or (a
 * node from before the identity moved beside the state machine, whose etcd or ZooKeeper machine kept none) once
 * every voter of the leader's configuration reports a log (last index at least 1: it has state on disk). Until then
 * a member that starts empty may be a new cluster's; from then on it has lost its storage. Pure.
 */
public final class Bootstrapped {
    private Bootstrapped() {
    }

    /** @param recorded the ConfigMap's {@code initial-cluster-state}, or null */
    public static boolean of(String recorded, Collection<MemberObservation> members) {
        if (DesiredChildren.EXISTING.equals(recorded)) {
            return true;
        }
        Map<String, ReportedStatus> reports = new HashMap<>();
        members.stream().filter(MemberObservation::isReachable).forEach(m -> reports.put(m.name(), m.status()));
        return reports.values().stream()
                .filter(r -> r.leads() && r.members() != null && !r.members().isEmpty())
                .anyMatch(leader -> leader.clusterUuid() != null ? everyVoterJoined(leader)
                        : everyVoterHasALog(leader, reports));
    }

    private static boolean everyVoterHasALog(ReportedStatus leader, Map<String, ReportedStatus> reports) {
        return leader.members().stream().filter(m -> "voter".equals(m.kind())).allMatch(m -> {
            ReportedStatus r = reports.get(m.id());
            return r != null && !r.needsReplacing() && r.lastLogIndex() != null && r.lastLogIndex() >= 1;
        });
    }

    private static boolean everyVoterJoined(ReportedStatus leader) {
        List<String> joined = leader.joinedMembers() == null ? List.of() : leader.joinedMembers();
        return leader.members().stream().filter(m -> "voter".equals(m.kind()))
                .allMatch(m -> joined.contains(m.id()));
    }
}
