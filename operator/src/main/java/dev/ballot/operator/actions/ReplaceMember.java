package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.PodView;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ballot.dev/replace-member: "<member>"}: the member starts again from nothing, as if its volume had been lost,
 * and the operator's replacement (replace/ReplacementPlanner) rebuilds it: its claim and pod are deleted (a leader
 * first hands leadership over), the StatefulSet recreates both, the member starts empty, reports that it needs
 * replacing and never votes; the operator removes it from the configuration, adds it again as a learner/observer,
 * lets it catch up from the leader and promotes it. For a member whose disk misbehaves or whose data is suspect.
 *
 * <p>Gated as a restart (every other voter healthy and caught up: the member is down through the replacement), and
 * only once the cluster has bootstrapped (before that an empty member could vote as a new cluster's) and while no
 * replacement runs. Done once the replacement was seen (the member reported it needs replacing, or left the voters)
 * and the member is again a healthy, caught-up voter in a new pod.
 */
final class ReplaceMember implements ActionRules {
    /** The reason while the operator's replacement rebuilds the member; Done is only reached from it. */
    static final String REPLACING = "Replacing";

    @Override
    public Verdict start(ActionRequest request, ClusterView c) {
        Verdict refused = MemberGate.refusal(request, c, "replace", "replacing");
        if (refused != null) {
            return refused;
        }
        MemberStatus member = c.member(request.target()).orElseThrow();
        if (!Boolean.TRUE.equals(member.voter)) {
            return Verdict.refuse("NotAVoter", request.target() + " is not a voter: only a voter's slot is replaced"
                    + " (a learner/observer is a scaling or a replacement in progress)");
        }
        if (c.replacing() != null) {
            return Verdict.refuse("ReplacementInProgress", "the operator is replacing " + c.replacing().member()
                    + " (next: " + c.replacing().step() + "); ask again once it is done");
        }
        if (Boolean.TRUE.equals(member.needsReplacement)) {
            return Verdict.refuse("ReplacementInProgress", request.target() + " already reports that it needs"
                    + " replacing: the operator replaces it without being asked");
        }
        if (!c.bootstrapped()) {
            return Verdict.refuse("NotBootstrapped", "the cluster has not bootstrapped yet (not every voter has"
                    + " joined): a member started empty now could vote as a new cluster's; ask again once it has");
        }
        String uid = c.podUid(request.target());
        return next(request.target(), uid, c).about(request.target(), uid);
    }

    @Override
    public Verdict proceed(ActionStatus running, ClusterView c) {
        String target = running.target;
        PodView pod = c.pods().get(target);
        if (pod != null && Objects.equals(pod.uid(), running.targetPodUid)) {
            return pod.terminating() ? Verdict.run("DeletingStorage", "waiting for the old pod " + target
                    + " to terminate", null) : next(target, running.targetPodUid, c);
        }
        Optional<MemberStatus> member = c.member(target);
        if (member.isEmpty()) {
            return Verdict.fail("TargetGone", target + " is no longer a member");
        }
        MemberStatus m = member.get();
        boolean operatorReplaces = c.replacing() != null && target.equals(c.replacing().member());
        boolean seen = REPLACING.equals(running.reason) || operatorReplaces
                || Boolean.TRUE.equals(m.needsReplacement) || !Boolean.TRUE.equals(m.voter);
        if (!seen) {
            return Verdict.run("Restarting", "waiting for " + target + " to start empty in a new pod and report"
                    + " that it needs replacing", null);
        }
        if (operatorReplaces) {
            return Verdict.run(REPLACING, "the operator replaces " + target + ": next " + c.replacing().step(), null);
        }
        if (pod != null && Boolean.TRUE.equals(m.voter) && !Boolean.TRUE.equals(m.needsReplacement)
                && c.unfit(m) == null) {
            return Verdict.done("Replaced", target + " was rebuilt from the leader on a new claim and votes again");
        }
        return Verdict.run(REPLACING, "waiting for " + target + " to be a healthy, caught-up voter again", null);
    }

    /** The old pod still runs: move leadership off it first, else delete its claim and then the pod. */
    private static Verdict next(String target, String uid, ClusterView c) {
        Verdict transfer = MemberGate.leadershipOff(target, c, "is replaced");
        return transfer != null ? transfer : Verdict.run("DeletingStorage", "deleting the claim and pod of "
                + target + " so that it starts empty and the operator replaces it",
                ActionStep.deleteClaimAndPod(target, uid));
    }

    @Override
    public Duration deadline() {
        // Through a removal, a restart, a catch-up from the leader (a snapshot for a large state) and a promotion;
        // as long as the progress deadline's default (spec.progressDeadlineSeconds).
        return Duration.ofMinutes(10);
    }
}
