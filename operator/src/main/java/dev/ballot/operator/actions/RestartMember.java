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
 * its member is healthy and caught up again.
 */
final class RestartMember implements ActionRules {
    @Override
    public Verdict start(ActionRequest request, ClusterView c) {
        Verdict refused = MemberGate.refusal(request, c, "restart", "restarting");
        if (refused != null) {
            return refused;
        }
        return next(request.target(), c.podUid(request.target()), c).about(request.target(),
                c.podUid(request.target()));
    }

    @Override
    public Verdict proceed(ActionStatus running, ClusterView c) {
        PodView pod = c.pods().get(running.target);
        if (pod != null && Objects.equals(pod.uid(), running.targetPodUid) && !pod.terminating()) {
            return next(running.target, running.targetPodUid, c);
        }
        Optional<MemberStatus> member = c.member(running.target);
        boolean newPod = pod != null && !Objects.equals(pod.uid(), running.targetPodUid);
        // Done only once caught up too: the next disruptive request (another restart, a replace) is refused while
        // any voter lags, so a script that waits for Done can go on (seen in e2e: a replace right after a restart was
        // refused, the restarted member 1,611 entries behind).
        if (newPod && member.isPresent() && c.unfit(member.get()) == null) {
            return Verdict.done("Restarted", running.target + " runs in a new pod, healthy and caught up");
        }
        if (newPod && member.isPresent() && c.healthy(member.get())) {
            Long lag = member.get().lag;
            return Verdict.run("Restarting", "waiting for " + running.target + " to catch up (" + (lag == null
                    ? "lag unknown" : lag + " entries behind") + ", at most " + ClusterView.CAUGHT_UP_LAG + ")", null);
        }
        return Verdict.run("Restarting", "waiting for " + running.target + " to come back"
                + (newPod ? " (new pod not ready)" : " (old pod terminating)"), null);
    }

    /** The old pod still runs: move leadership off it first, else delete it. */
    private static Verdict next(String target, String uid, ClusterView c) {
        Verdict transfer = MemberGate.leadershipOff(target, c, "restarts");
        return transfer != null ? transfer : Verdict.run("Restarting", "deleting pod " + target
                + " so the StatefulSet recreates it", ActionStep.deletePod(target, uid));
    }

    @Override
    public Duration deadline() {
        return Duration.ofMinutes(5);
    }
}
