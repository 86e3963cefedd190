package dev.ballot.operator.actions;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.desired.QuorumMath;
import dev.ballot.operator.status.PodView;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code ballot.dev/recover-quorum-from: "<member>"}: quorum-loss recovery, never automatic (as etcd's
 * {@code --force-new-cluster}). The cluster is rebuilt from the named member's data: every other voter that still
 * holds data is wiped first (its claim and pod deleted: it comes back empty and refuses to vote); then the kept member
 * is asked to rebuild ({@code POST /v1/admin/force-new-cluster}) and its pod is deleted, so it restarts as the only
 * voter of a configuration of its whole log (its learners/observers kept) and leads alone; the operator's
 * replacement then adds the lost voters again empty, as learners/observers, and promotes them once caught up. Writes the lost majority acknowledged after the
 * kept member's last index may be lost: the executor's Warning Event {@code QuorumRecovery} names that index.
 *
 * <p>Refused when the quorum is not lost (a leader is known, or a majority of voters is healthy), when the member does
 * not exist, or when it does not answer or has lost its own data. Done once the kept member leads. Pure.
 */
final class RecoverQuorum implements ActionRules {
    @Override
    public Verdict start(ActionRequest request, ClusterView c) {
        String target = request.target();
        if (target.isEmpty()) {
            return Verdict.refuse("InvalidRequest", "set " + request.kind().annotation() + " to the member to keep");
        }
        Optional<MemberStatus> member = c.member(target);
        PodView pod = c.pods().get(target);
        if (member.isEmpty() || pod == null) {
            return Verdict.refuse("UnknownMember", "no member " + target + "; the members are "
                    + c.members().stream().map(m -> m.name).toList());
        }
        if (c.leader() != null) {
            return Verdict.refuse("QuorumAvailable", c.leader() + " leads: the quorum is not lost, nothing to recover");
        }
        List<MemberStatus> voters = c.voters().isEmpty() ? c.members() : c.voters();
        long healthy = voters.stream().filter(c::healthy).count();
        if (healthy >= QuorumMath.majority(voters.size())) {
            return Verdict.refuse("QuorumAvailable", healthy + " of " + voters.size() + " voters are healthy: a leader"
                    + " is being elected, the quorum is not lost");
        }
        if (Boolean.TRUE.equals(member.get().needsReplacement)) {
            return Verdict.refuse("MemberLostItsData", target + " lost its own storage: choose a member that kept its"
                    + " data (the one with the highest last index loses the least)");
        }
        if (!Boolean.TRUE.equals(member.get().reachable) || pod.terminating() || pod.uid() == null) {
            return Verdict.refuse("MemberUnreachable", target + " does not answer: the cluster can only be rebuilt from"
                    + " a running member's data");
        }
        return next(target, request.requestId(), pod.uid(), c, true).about(target, pod.uid());
    }

    @Override
    public Verdict proceed(ActionStatus running, ClusterView c) {
        if (c.leads(running.target)) {
            return Verdict.done("Recovered", running.target + " leads a configuration rebuilt from its data; the"
                    + " other members are added again empty (status.rollout shows the replacement). Writes"
                    + " acknowledged after its last index (Event QuorumRecovery) may be lost");
        }
        return next(running.target, running.requestId, running.targetPodUid, c, false);
    }

    /**
     * Wipe the next other member that holds data; once none does, ask the kept one to rebuild and restart it. At the
     * start a member that does not answer is wiped too (it may hold the old configuration's data); later only one
     * that answers with data, so a wiped member's new pod, still starting, is never wiped again.
     */
    private static Verdict next(String target, String requestId, String uid, ClusterView c, boolean starting) {
        for (MemberStatus m : c.members()) {
            if (m.name.equals(target) || Boolean.TRUE.equals(m.needsReplacement) || !Boolean.TRUE.equals(m.voter)) {
                // A learner/observer never votes, and one wiped would come back empty without ever needing
                // replacement: it is left as it is. The rebuilt configuration keeps it (node ForceNewCluster), so it
                // follows the rebuilt cluster with its data (a ZAB observer learns the new configuration from the
                // leader's election notifications).
                continue;
            }
            PodView pod = c.pods().get(m.name);
            if (pod == null || pod.terminating() || pod.uid() == null) {
                return Verdict.run("WipingMembers", "waiting for " + m.name + " to come back empty", null);
            }
            if (starting || Boolean.TRUE.equals(m.reachable)) {
                return Verdict.run("WipingMembers", "deleting the claim and pod of " + m.name + ": it may hold the lost"
                        + " configuration's data and must come back empty", ActionStep.deleteClaimAndPod(m.name,
                        pod.uid()));
            }
            return Verdict.run("WipingMembers", "waiting for " + m.name + " to come back empty (it does not answer yet)",
                    null);
        }
        PodView pod = c.pods().get(target);
        if (pod != null && Objects.equals(pod.uid(), uid) && !pod.terminating()) {
            return Verdict.run("Rebuilding", "asking " + target + " to rebuild the cluster from its data and"
                    + " restarting it", ActionStep.forceNewCluster(target, requestId, uid));
        }
        return Verdict.run("Rebuilding", "waiting for " + target + " to restart and lead a configuration of itself"
                + " alone", null);
    }

    @Override
    public boolean startsDuringRollout() {
        return true;
    }

    @Override
    public Duration deadline() {
        return Duration.ofMinutes(10);
    }
}
