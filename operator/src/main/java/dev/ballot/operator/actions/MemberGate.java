package dev.ballot.operator.actions;

import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.PodView;
import java.util.Optional;

/**
 * The gate and first move shared by the actions that take one member's pod away (restart-member, replace-member):
 * the member exists and runs, and taking a voter away leaves every other voter healthy and caught up (a majority with
 * one to spare); a leader hands leadership to the most caught-up voter first. Pure.
 */
final class MemberGate {
    private MemberGate() {
    }

    /** Refused when {@code request}'s member may not lose its pod now; null when it may. */
    static Verdict refusal(ActionRequest request, ClusterView c, String verb, String gerund) {
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
                    + (pod == null ? " does not exist" : " is already terminating") + "; nothing to " + verb);
        }
        if (Boolean.TRUE.equals(member.get().voter)) {
            if (c.voters().size() == 1) {
                return Verdict.refuse("OnlyVoter", request.target() + " is the only voter: " + gerund + " it"
                        + " would stop the cluster");
            }
            for (MemberStatus other : c.voters()) {
                String unfit = other.name.equals(request.target()) ? null : c.unfit(other);
                if (unfit != null) {
                    return Verdict.refuse("QuorumAtRisk", gerund + " " + request.target()
                            + " needs every other voter healthy and caught up: " + unfit);
                }
            }
        }
        return null;
    }

    /**
     * While {@code target} leads: ask it to hand leadership to the most caught-up voter (or wait when none can take
     * over). Null when it does not lead. {@code before}: what happens to it next ("restarts").
     */
    static Verdict leadershipOff(String target, ClusterView c, String before) {
        if (!c.leads(target)) {
            return null;
        }
        Optional<MemberStatus> to = c.bestVoterExcept(target);
        return to.isPresent()
                ? Verdict.run("TransferringLeadership", target + " leads: asked it to hand leadership to "
                        + to.get().name + " before it " + before, ActionStep.transfer(target, to.get().name))
                : Verdict.run("TransferringLeadership", target + " leads and no other voter is healthy and"
                        + " caught up to take over; waiting", null);
    }
}
