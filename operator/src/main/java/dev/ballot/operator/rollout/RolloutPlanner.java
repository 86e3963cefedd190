package dev.ballot.operator.rollout;

import dev.ballot.operator.api.UpdateStrategy;
import dev.ballot.operator.plan.QuorumMath;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the next step of a rolling update, one member at a time, from observed members only. Pure.
 * Order: wait while a restarted member comes back; restart outdated members that are already unhealthy (costs no
 * quorum); then non-voters, then voting followers (highest ordinal first), the leader last, after moving leadership
 * off it; never restart a healthy voter when the voters left would not form a quorum.
 */
public final class RolloutPlanner {
    private static final Comparator<RolloutMember> ORDER = Comparator
            .comparing(RolloutMember::voter)
            .thenComparing(RolloutMember::leader)
            .thenComparing(Comparator.comparingInt(RolloutMember::ordinal).reversed());

    private RolloutPlanner() {
    }

    public static RolloutAction next(List<RolloutMember> members, UpdateStrategy.Type type,
                                     boolean transferLeadership) {
        List<RolloutMember> outdated = members.stream().filter(m -> m.present() && !m.updated()).sorted(ORDER)
                .toList();
        if (outdated.isEmpty()) {
            return RolloutAction.NONE;
        }
        String first = outdated.get(0).name();
        if (type == UpdateStrategy.Type.Manual) {
            return RolloutAction.waitFor("delete pod " + first,
                    "spec.updateStrategy.type is Manual: delete outdated pods one at a time, " + first + " first");
        }
        Optional<RolloutMember> comingBack = members.stream()
                .filter(m -> !m.present() || (m.updated() && !m.healthy())).findFirst();
        if (comingBack.isPresent()) {
            return RolloutAction.waitFor("restart " + first,
                    "waiting for " + comingBack.get().name() + " to come back healthy");
        }
        Optional<RolloutMember> unhealthy = outdated.stream().filter(m -> !m.healthy()).findFirst();
        if (unhealthy.isPresent()) {
            return RolloutAction.restart(unhealthy.get().name());
        }
        RolloutMember next = outdated.get(0);
        if (next.voter()) {
            int voters = (int) members.stream().filter(RolloutMember::voter).count();
            int healthy = (int) members.stream().filter(m -> m.voter() && m.healthy()).count();
            // With 1 or 2 voters no restart keeps a quorum; once all are healthy, a short outage is the only way.
            boolean noToleranceByDesign = QuorumMath.faultTolerance(voters) == 0 && healthy == voters;
            if (QuorumMath.remainingTolerance(voters, healthy) < 1 && !noToleranceByDesign) {
                return RolloutAction.waitFor("restart " + next.name(),
                        "restarting " + next.name() + " would lose quorum: " + healthy + "/" + voters
                                + " voters healthy, " + QuorumMath.majority(voters) + " required");
            }
            if (members.stream().noneMatch(RolloutMember::leader)) {
                return RolloutAction.waitFor("restart " + next.name(), "no leader is known; waiting for an election");
            }
            if (next.leader() && transferLeadership && voters > 1) {
                return RolloutAction.transfer(next.name());
            }
        }
        return RolloutAction.restart(next.name());
    }
}
