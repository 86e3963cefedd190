package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.api.QuorumStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.desired.QuorumMath;
import dev.ballot.operator.step.Step;
import dev.ballot.operator.rollout.RolloutMember;
import dev.ballot.operator.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Computes the whole status of a cluster from what was observed, and the Events to publish. Pure: every
 * input is a value, including the clock reading.
 */
public final class StatusBuilder {
    /** How long no leader, with a majority of voters answering, counts as an election (see QuorumHealth). */
    public static final Duration ELECTION_GRACE = QuorumHealth.ELECTION_GRACE;
    /** How long after the operator began watching a member not heard from yet is unknown (see MemberRows). */
    public static final Duration NOT_HEARD_GRACE = MemberRows.NOT_HEARD_GRACE;

    private StatusBuilder() {
    }

    /** Everything the status is computed from. {@code spec} is null when the spec is invalid. */
    public record Inputs(
            String name,
            long generation,
            EffectiveSpec spec,
            List<String> problems,
            List<String> warnings,
            List<MemberEndpoint> expectedMembers,
            WorkloadView workload,
            Map<String, PodView> pods,
            Map<String, MemberObservation> members,
            Instant membersWatchedSince,
            ElectionClusterStatus previous,
            String selector,
            Instant now) {
    }

    /** The new status and the events to publish. */
    public record Report(ElectionClusterStatus status, List<EventToPublish> events, Step rollout) {
    }

    public static Report build(Inputs o) {
        ElectionClusterStatus prev = o.previous() == null ? new ElectionClusterStatus() : o.previous();
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.backup = prev.backup; // the backup executor's field: carried over, changed only by it
        s.recovery = prev.recovery; // the quorum-recovery executor's field: carried over, changed only by it
        List<EventToPublish> events = new ArrayList<>();
        long gen = o.generation();
        s.observedGeneration = gen;
        s.selector = o.selector();

        if (o.spec() == null) {
            events.addAll(InvalidSpecStatus.fill(s, prev, o.problems(), gen, o.now()));
            return new Report(s, events, Step.NONE);
        }

        EffectiveSpec spec = o.spec();
        // The expected members follow the configuration (while scaling, the committed voters, not spec.replicas).
        int pods = o.expectedMembers().size();
        int voters = (int) o.expectedMembers().stream().filter(MemberEndpoint::voter).count();
        s.replicas = voters;
        s.readyReplicas = o.workload().readyReplicas();
        s.updatedReplicas = o.workload().updatedReplicas();

        // Members, as they report themselves.
        MemberRows.Result rows = MemberRows.of(o);
        MemberRows.Leader leader = rows.leader();
        int healthyVoters = rows.healthyVoters();
        int answeringVoters = rows.answeringVoters();
        s.members.addAll(rows.rows());

        // Leader and term.
        MemberRows.recordLeader(prev, s, leader, o.now(), events);

        // Quorum.
        QuorumHealth quorum = QuorumHealth.of(voters, healthyVoters, answeringVoters, rows.unknownVoters(),
                leader != null, s.leaderChanges > 0, prev, o.now());
        s.quorum = quorum.status();
        // Voters not heard from yet could still change the verdict: the previous phase stands, Ready waits for them.
        boolean notHeard = rows.unknownVoters() > 0 && !quorum.lost();

        // Rollout.
        Step action = spec.paused() ? Step.NONE
                : RolloutPlanner.next(rows.rolloutMembers(), spec.updateType(), spec.transferLeadership());
        s.rollout = spec.paused() ? new RolloutStatus("", "spec.paused is true")
                : new RolloutStatus(action.step(), action.blockedBy());

        // Conditions.
        List<Condition> conditions = new ArrayList<>();
        String warning = o.warnings().isEmpty() ? "" : " Warning: " + String.join("; ", o.warnings());
        boolean allPodsUpdated = o.workload().exists() && o.workload().updatedReplicas() >= pods;
        boolean allPodsReady = o.workload().exists() && o.workload().readyReplicas() >= pods;
        boolean allVotersHealthy = healthyVoters == voters;
        boolean rolledOut = o.workload().exists() && o.workload().caughtUp() && allPodsUpdated;
        boolean ready = rolledOut && allPodsReady && allVotersHealthy && leader != null;
        String summary = healthyVoters + "/" + voters + " voters healthy"
                + (leader != null ? ", leader " + leader.name() + " in term " + leader.term() : ", no leader");
        conditions.add(StatusConditions.condition(StatusConditions.READY, ready, gen,
                ready ? "QuorumHealthy" : notReadyReason(o, rolledOut, allPodsReady, leader, notHeard),
                summary + (ready ? "" : "; " + progress(o, pods)) + warning));
        // Not heard enough to judge the quorum (a new operator leader): what the previous status said stands.
        Condition keptAvailable = quorum.observing() ? StatusConditions.find(prev.conditions, StatusConditions.AVAILABLE)
                : null;
        conditions.add(keptAvailable != null ? keptAvailable
                : StatusConditions.condition(StatusConditions.AVAILABLE, quorum.available(), gen,
                quorum.available() ? "QuorumAvailable" : quorum.electing() ? "Electing"
                        : quorum.observing() ? "Observing" : !quorum.formed() ? QuorumHealth.BOOTSTRAPPING
                        : (leader == null ? "NoLeader" : "QuorumLost"),
                (quorum.observing() ? quorum.notHeard(summary) : summary + " (" + QuorumMath.majority(voters)
                        + " required)") + warning));

        Stall stall = Stall.of(o.pods().values(), action, quorum.lost());
        String stalledReason = stall == null ? null : stall.reason();
        String stalledMessage = stall == null ? null : stall.message();
        boolean reconciling = !spec.paused() && stalledReason == null && !ready;
        conditions.add(StatusConditions.condition(StatusConditions.RECONCILING, reconciling, gen,
                spec.paused() ? "Paused" : (reconciling
                        ? notReadyReason(o, rolledOut, allPodsReady, leader, notHeard)
                        : (stalledReason != null ? stalledReason : "Converged")),
                spec.paused() ? "spec.paused is true: the operator observes and reports but changes nothing"
                        : (reconciling ? progress(o, pods) + (action.step().isEmpty() ? ""
                        : "; next: " + action.step()) + (action.blockedBy().isEmpty() ? ""
                        : " (" + action.blockedBy() + ")") : "the cluster matches generation " + gen)));
        conditions.add(StatusConditions.condition(StatusConditions.STALLED, stalledReason != null, gen,
                stalledReason != null ? stalledReason : "Progressing",
                stalledMessage != null ? stalledMessage : "no human action needed"));

        QuorumHealth.Degraded d = quorum.degraded(summary);
        Condition keptDegraded = quorum.observing() ? StatusConditions.find(prev.conditions, StatusConditions.DEGRADED)
                : null;
        if (keptDegraded != null) {
            d = new QuorumHealth.Degraded("True".equals(keptDegraded.getStatus()), keptDegraded.getReason(),
                    keptDegraded.getMessage());
            conditions.add(keptDegraded);
        } else {
            conditions.add(StatusConditions.condition(StatusConditions.DEGRADED, d.degraded(), gen, d.reason(),
                    d.message()));
        }
        Condition quota = KeyspaceQuotaCondition.of(spec.keyspaceQuotaBytes(), o.members(), prev.conditions, gen);
        if (quota != null) {
            conditions.add(quota);
        }
        s.conditions = StatusConditions.withTransitionTimes(prev.conditions, conditions, o.now());

        s.phase = stalledReason != null ? "Stalled"
                : spec.paused() ? "Paused"
                : notHeard && prev.phase != null ? prev.phase
                : d.degraded() && "QuorumLost".equals(d.reason()) ? "Degraded"
                : !o.workload().exists() || !quorum.formed() ? "Pending"
                : !ready ? "Updating"
                : "Running";

        StatusEvents.onTransitions(prev, s, new StatusEvents.Now(gen, o.warnings(), stalledReason, stalledMessage,
                spec.paused(), d.degraded(), d.reason(), d.message(), summary, restarting(o)), events);
        return new Report(s, events, action);
    }

    /**
     * Members whose pod is terminating or not Ready (see {@link StatusEvents.Now#restarting}). A member without a pod
     * in view is not counted (as for health): only a pod that says it is going or not serving explains the silence.
     */
    private static Set<String> restarting(Inputs o) {
        Set<String> out = new HashSet<>();
        for (var e : o.expectedMembers()) {
            PodView pod = o.pods().get(e.name());
            if (pod != null && !pod.serves()) {
                out.add(e.name());
            }
        }
        return out;
    }

    private static String notReadyReason(Inputs o, boolean rolledOut, boolean allPodsReady, MemberRows.Leader leader,
                                         boolean notHeard) {
        if (!o.workload().exists()) {
            return "Creating";
        }
        if (!rolledOut) {
            return "RollingUpdate";
        }
        if (!allPodsReady) {
            return "PodsStarting";
        }
        if (notHeard) {
            return "Observing";
        }
        if (leader == null) {
            return "Electing";
        }
        return "MembersNotReady";
    }

    private static String progress(Inputs o, int pods) {
        if (!o.workload().exists()) {
            return "StatefulSet not created yet";
        }
        return o.workload().readyReplicas() + "/" + pods + " pods ready, " + o.workload().updatedReplicas() + "/"
                + pods + " updated";
    }
}
