package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.PodView;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ballot.dev/restart-member: "<member>"}: the member's pod is deleted and the StatefulSet recreates it, only
 * while every other voter is healthy and caught up (so the cluster keeps a majority with one to spare). A leader first
 * hands leadership to the most caught-up voter, as in a rolling update. Done when a pod of another uid is ready and
 * its member is healthy again.
 */
final class RestartMember implements ActionRules {
    @Override
    public Verdict start(ActionRequest request, ClusterView c) {
        if (request.target().isEmpty()) {
            return Verdict.refuse("InvalidRequest", "set " + request.kind().annotation() + " to a member name");
        }
        Optional<MemberStatus> member = c.member(request.target());
        if (member.isEmpty()) {
            return Verdict.refuse("UnknownMember", "no member " + request.target() + "; the members are "
                    + c.members().stream().map(m -> m.name).toList());
        }
        PodView pod = c.pods().get(request.target());
        if (pod == null || pod.terminating() || pod.uid() == null) {
            return Verdict.refuse("PodNotRunning", "pod " + request.target()
                    + (pod == null ? " does not exist" : " is already terminating") + "; nothing to restart");
        }
        if (Boolean.TRUE.equals(member.get().voter)) {
            if (c.voters().size() == 1) {
                return Verdict.refuse("OnlyVoter", request.target() + " is the only voter: restarting it would stop"
                        + " the cluster");
            }
            for (MemberStatus other : c.voters()) {
                String unfit = other.name.equals(request.target()) ? null : c.unfit(other);
                if (unfit != null) {
                    return Verdict.refuse("QuorumAtRisk", "restarting " + request.target()
                            + " needs every other voter healthy and caught up: " + unfit);
                }
            }
        }
        return next(request.target(), pod.uid(), c).about(request.target(), pod.uid());
    }

    @Override
    public Verdict proceed(ActionStatus running, ClusterView c) {
        PodView pod = c.pods().get(running.target);
        if (pod != null && Objects.equals(pod.uid(), running.targetPodUid) && !pod.terminating()) {
            return next(running.target, running.targetPodUid, c);
        }
        Optional<MemberStatus> member = c.member(running.target);
        if (pod != null && !Objects.equals(pod.uid(), running.targetPodUid) && member.isPresent()
                && c.healthy(member.get())) {
            return Verdict.done("Restarted", running.target + " runs in a new pod and is healthy");
        }
        return Verdict.run("Restarting", "waiting for " + running.target + " to come back"
                + (pod == null || Objects.equals(pod.uid(), running.targetPodUid) ? " (old pod terminating)"
                : " (new pod not ready)"), null);
    }

    /** The old pod still runs: move leadership off it first, else delete it. */
    private static Verdict next(String target, String uid, ClusterView c) {
        if (c.leads(target)) {
            Optional<MemberStatus> to = c.bestVoterExcept(target);
            return to.isPresent()
                    ? Verdict.run("TransferringLeadership", target + " leads: asked it to hand leadership to "
                            + to.get().name + " before it restarts", ActionStep.transfer(target, to.get().name))
                    : Verdict.run("TransferringLeadership", target + " leads and no other voter is healthy and"
                            + " caught up to take over; waiting", null);
        }
        return Verdict.run("Restarting", "deleting pod " + target + " so the StatefulSet recreates it",
                ActionStep.deletePod(target, uid));
    }

    @Override
    public Duration deadline() {
        return Duration.ofMinutes(5);
    }
}
