package dev.ballot.operator.rollout;

import dev.ballot.operator.step.Step;
import dev.ballot.operator.api.UpdateStrategy;
import dev.ballot.operator.desired.QuorumMath;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides the next step of a rolling update, one member at a time, from observed members only. Pure.
 * Order: wait while a restarted member comes back; restart outdated members that are already down (costs no
 * quorum); then non-voters, then voting followers (highest ordinal first), the leader last, after moving leadership
 * off it; never restart a healthy voter when the voters left would not form a quorum. {@link #confirm} checks a step
 * that costs a voter against the leader's fresh progress just before it runs: leadership has really moved, and
 * every other voter has caught up (pod readiness alone does not say a restarted member holds the log).
 */
public final class RolloutPlanner {
    /** A voter further behind the leader than this many entries is still catching up (the node's transfer rule). */
    public static final long MAX_LAG = 100;

    private static final Comparator<RolloutMember> ORDER = Comparator
            .comparing(RolloutMember::voter)
            .thenComparing(RolloutMember::leader)
            .thenComparing(Comparator.comparingInt(RolloutMember::ordinal).reversed());

    private RolloutPlanner() {
    }

    public static Step next(List<RolloutMember> members, UpdateStrategy.Type type,
                                     boolean transferLeadership) {
        List<RolloutMember> outdated = members.stream().filter(m -> m.present() && !m.updated()).sorted(ORDER)
                .toList();
        if (outdated.isEmpty()) {
            return Step.NONE;
        }
        String first = outdated.get(0).name();
        if (type == UpdateStrategy.Type.Manual) {
            return Step.waitFor("delete pod " + first,
                    "spec.updateStrategy.type is Manual: delete outdated pods one at a time, " + first + " first");
        }
        Optional<RolloutMember> comingBack = members.stream()
                .filter(m -> !m.present() || (m.updated() && !m.healthy())).findFirst();
        if (comingBack.isPresent()) {
            return Step.waitFor("restart " + first,
                    "waiting for " + comingBack.get().name() + " to come back healthy");
        }
        // A member that is down serves nobody: restarting it first costs nothing. One that answers while an
        // election runs is not down; restarting it could cost the election its quorum.
        Optional<RolloutMember> down = outdated.stream().filter(RolloutMember::down).findFirst();
        if (down.isPresent()) {
            return Step.restart(down.get().name());
        }
        RolloutMember next = outdated.get(0);
        if (next.voter()) {
            int voters = (int) members.stream().filter(RolloutMember::voter).count();
            int healthy = (int) members.stream().filter(m -> m.voter() && m.healthy()).count();
            // With 1 or 2 voters no restart keeps a quorum; once all are healthy, a short outage is the only way.
            boolean noToleranceByDesign = QuorumMath.faultTolerance(voters) == 0 && healthy == voters;
            if (QuorumMath.remainingTolerance(voters, healthy) < 1 && !noToleranceByDesign) {
                return Step.waitFor("restart " + next.name(),
                        "restarting " + next.name() + " would lose quorum: " + healthy + "/" + voters
                                + " voters healthy, " + QuorumMath.majority(voters) + " required");
            }
            if (members.stream().noneMatch(RolloutMember::leader)) {
                return Step.waitFor("restart " + next.name(), "no leader is known; waiting for an election");
            }
            if (next.leader() && transferLeadership && voters > 1) {
                return Step.transfer(next.name());
            }
        }
        return Step.restart(next.name());
    }

    /**
     * The planned step, or a wait, after a fresh look at the leader's progress (the planner's member view can be
     * seconds old). A voter is restarted only if the fresh leader is not that voter (unless the plan is to restart
     * the leader itself: one voter, or no transfer wanted) and every other voter is within {@link #MAX_LAG}
     * entries; leadership is handed over only under the same catch-up rule. Non-voters need no confirmation.
     *
     * @param voters        names of the voters
     * @param plannedLeader the leader in the planner's view (null when none)
     * @param fresh         the leader's own report, read just now; empty when it could not be read
     */
    public static Step confirm(Step planned, Set<String> voters, String plannedLeader,
                                        Optional<LeaderProgress> fresh) {
        boolean costsAVoter = (planned.kind() == Step.Kind.RESTART
                || planned.kind() == Step.Kind.TRANSFER_LEADERSHIP) && voters.contains(planned.target());
        if (!costsAVoter || voters.size() == 1) {
            return planned;
        }
        if (fresh.isEmpty()) {
            return Step.waitFor(planned.step(), "could not read the leader's progress before "
                    + planned.step() + "; retrying");
        }
        LeaderProgress p = fresh.get();
        boolean leaderRestartPlanned = planned.kind() == Step.Kind.RESTART
                && planned.target().equals(plannedLeader);
        if (planned.kind() == Step.Kind.RESTART && !leaderRestartPlanned && planned.target().equals(p.leader())) {
            return Step.waitFor(planned.step(), planned.target() + " still leads; waiting for leadership "
                    + "to move before it restarts");
        }
        if (planned.kind() == Step.Kind.TRANSFER_LEADERSHIP && !planned.target().equals(p.leader())) {
            return Step.waitFor(planned.step(), "leadership already moved to " + p.leader());
        }
        for (String v : voters.stream().sorted().toList()) {
            if (v.equals(planned.target()) || v.equals(p.leader())) {
                continue;
            }
            Long lag = p.lag(v);
            if (lag == null || lag > MAX_LAG) {
                return Step.waitFor(planned.step(), "waiting for " + v + " to catch up with the leader "
                        + p.leader() + " (" + (lag == null ? "no progress reported" : lag + " entries behind") + ")");
            }
        }
        return planned;
    }
}
