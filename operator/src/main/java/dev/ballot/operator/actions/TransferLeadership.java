package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.MemberStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code ballot.dev/transfer-leadership: "<member>|any"}: the leader hands leadership to a healthy, caught-up voter
 * (named, or the most caught-up one). Done when that voter leads.
 */
final class TransferLeadership implements ActionRules {
    static final String ANY = "any";

    @Override
    public Verdict start(ActionRequest request, ClusterView c) {
        if (request.target().isEmpty()) {
            return Verdict.refuse("InvalidRequest", "set " + request.kind().annotation()
                    + " to a member name or \"any\"");
        }
        if (c.leader() == null) {
            return Verdict.refuse("NoLeader", "no member leads now, so there is no leadership to transfer");
        }
        MemberStatus to;
        if (ANY.equals(request.target())) {
            Optional<MemberStatus> best = c.bestVoterExcept(c.leader());
            if (best.isEmpty()) {
                return Verdict.refuse("NoCaughtUpVoter", "no voter other than the leader " + c.leader()
                        + " is healthy and caught up");
            }
            to = best.get();
        } else {
            Optional<MemberStatus> named = c.member(request.target());
            if (named.isEmpty()) {
                return Verdict.refuse("UnknownMember", "no member " + request.target() + "; the members are "
                        + c.members().stream().map(m -> m.name).toList());
            }
            to = named.get();
            if (c.leads(to.name)) {
                return Verdict.done("AlreadyLeader", to.name + " already leads in term " + c.term())
                        .about(to.name, null);
            }
            if (!Boolean.TRUE.equals(to.voter)) {
                return Verdict.refuse("NotAVoter", to.name + " is not a voter (a learner or observer cannot lead)");
            }
            String unfit = c.unfit(to);
            if (unfit != null) {
                return Verdict.refuse(c.healthy(to) ? "NotCaughtUp" : "NotHealthy", unfit);
            }
        }
        return Verdict.run("Transferring", "asked " + c.leader() + " to hand leadership to " + to.name,
                ActionStep.transfer(c.leader(), to.name)).about(to.name, null);
    }

    @Override
    public Verdict proceed(ActionStatus running, ClusterView c) {
        if (c.leads(running.target)) {
            return Verdict.done("LeadershipMoved", running.target + " leads in term " + c.term());
        }
        if (c.leader() == null) {
            return Verdict.run("Electing", "no leader yet; waiting for " + running.target + " to win", null);
        }
        Optional<MemberStatus> target = c.member(running.target);
        String unfit = target.isEmpty() ? running.target + " is no longer a member" : c.unfit(target.get());
        if (unfit != null) {
            return Verdict.fail("TargetUnfit", "leadership stays with " + c.leader() + ": " + unfit);
        }
        return Verdict.run("Transferring", "asked " + c.leader() + " to hand leadership to " + running.target,
                ActionStep.transfer(c.leader(), running.target));
    }

    @Override
    public Duration deadline() {
        return Duration.ofSeconds(30);
    }
}
