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
import dev.ballot.operator.rollout.RolloutAction;
import dev.ballot.operator.rollout.RolloutMember;
import dev.ballot.operator.rollout.RolloutPlanner;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Computes the whole status of a cluster from what was observed, and the Events to publish. Pure: every
 * input is a value, including the clock reading.
 */
public final class StatusBuilder {
    /**
     * How long no leader, with a majority of voters answering, counts as an election and not as a lost quorum. A
     * leadership transfer or a failover elects within a second or two (Raft timeouts are 150-300 ms; ZAB's
     * measured failover 0.2-4 s).
     */
    public static final Duration ELECTION_GRACE = Duration.ofSeconds(5);

    private StatusBuilder() {
    }

    /** Everything the status is computed from. {@code spec} is null when the spec is invalid. */
    public record Observed(
            String name,
            long generation,
            EffectiveSpec spec,
            List<String> problems,
            List<String> warnings,
            List<MemberEndpoint> expectedMembers,
            WorkloadView workload,
            Map<String, PodView> pods,
            Map<String, MemberObservation> members,
            ElectionClusterStatus previous,
            String selector,
            Instant now) {
    }

    /** The new status and the events to publish. */
    public record Report(ElectionClusterStatus status, List<EventToPublish> events, RolloutAction rollout) {
    }

    public static Report build(Observed o) {
        ElectionClusterStatus prev = o.previous() == null ? new ElectionClusterStatus() : o.previous();
        ElectionClusterStatus s = new ElectionClusterStatus();
        List<EventToPublish> events = new ArrayList<>();
        long gen = o.generation();
        s.observedGeneration = gen;
        s.selector = o.selector();

        if (o.spec() == null) {
            // Invalid spec: keep reporting what runs, but say plainly that nothing will change until it is fixed.
            String why = String.join("; ", o.problems());
            copyObservedFacts(prev, s);
            List<Condition> conditions = List.of(
                    StatusConditions.condition(StatusConditions.READY, false, gen, "InvalidSpec", why),
                    carry(prev, StatusConditions.AVAILABLE, gen, false, "Unknown",
                            "availability unknown while the spec is invalid"),
                    StatusConditions.condition(StatusConditions.RECONCILING, false, gen, "InvalidSpec",
                            "the operator changes nothing until the spec is fixed"),
                    StatusConditions.condition(StatusConditions.STALLED, true, gen, "InvalidSpec", why),
                    carry(prev, StatusConditions.DEGRADED, gen, false, "Unknown", "not evaluated"));
            s.conditions = StatusConditions.withTransitionTimes(prev.conditions, conditions, o.now());
            s.phase = "Stalled";
            s.rollout = new RolloutStatus("", "invalid spec: " + why);
            if (!StatusConditions.isTrue(prev.conditions, StatusConditions.STALLED)
                    || !Objects.equals(messageOf(prev, StatusConditions.STALLED), why)) {
                events.add(EventToPublish.warning("InvalidSpec", why));
            }
            return new Report(s, events, RolloutAction.NONE);
        }

        EffectiveSpec spec = o.spec();
        // The expected members follow the configuration (while scaling, the committed voters, not spec.replicas).
        int pods = o.expectedMembers().size();
        int voters = (int) o.expectedMembers().stream().filter(MemberEndpoint::voter).count();
        s.replicas = voters;
        s.readyReplicas = o.workload().readyReplicas();
        s.updatedReplicas = o.workload().updatedReplicas();

        // Members, as they report themselves.
        Leader leader = findLeader(o.members());
        ReportedStatus leaderReport = leader == null ? null : o.members().get(leader.name()).status();
        List<RolloutMember> rolloutMembers = new ArrayList<>();
        int healthyVoters = 0;
        int answeringVoters = 0;
        for (MemberEndpoint e : o.expectedMembers()) {
            MemberStatus m = new MemberStatus();
            m.name = e.name();
            m.id = e.id();
            m.voter = e.voter();
            PodView pod = o.pods().get(e.name());
            m.revision = pod == null ? null : pod.revision();
            MemberObservation obs = o.members().get(e.name());
            if (obs == null) {
                m.role = "unknown";
                m.reachable = null;
                m.ready = false;
                m.message = "not contacted yet";
            } else if (!obs.isReachable()) {
                m.role = "unknown";
                m.reachable = false;
                m.ready = false;
                m.message = "unreachable: " + obs.error();
            } else {
                ReportedStatus r = obs.status();
                m.role = r.role();
                m.reachable = true;
                m.ready = r.leaderId() != null && !r.electing() && leader != null && !r.leaderContactStale();
                if (!m.ready) {
                    m.message = r.leaderContactStale() ? "no contact with the leader for " + r.leaderContactMs()
                            + " ms" : r.electing() ? "no leader known (" + r.role() + ")" : "no leader known";
                }
                fillProgress(m, e.name(), leaderReport);
            }
            boolean healthy = Boolean.TRUE.equals(m.ready) && (pod == null || pod.ready());
            if (e.voter() && healthy) {
                healthyVoters++;
            }
            boolean answering = obs != null && obs.isReachable() && (pod == null || (pod.ready() && !pod.terminating()));
            if (e.voter() && answering) {
                answeringVoters++;
            }
            boolean updated = pod != null && o.workload().updateRevision() != null
                    && o.workload().updateRevision().equals(pod.revision());
            rolloutMembers.add(new RolloutMember(e.name(), e.id() - 1, e.voter(),
                    pod != null && !pod.terminating(), updated || o.workload().updateRevision() == null, healthy,
                    leader != null && leader.name().equals(e.name()), !healthy && !answering));
            s.members.add(m);
        }

        // Leader and term.
        s.leaderChanges = prev.leaderChanges == null ? 0L : prev.leaderChanges;
        if (leader != null) {
            s.leader = leader.name();
            s.term = leader.term();
            boolean changed = !leader.name().equals(prev.leader) || !Objects.equals(leader.term(), prev.term);
            if (changed) {
                if (!leader.name().equals(prev.leader)) {
                    s.leaderChanges = s.leaderChanges + 1;
                }
                events.add(EventToPublish.normal("LeaderElected", leader.name() + " leads in term " + leader.term()));
            }
            s.leaderSince = leader.since() != null ? leader.since()
                    : (changed || prev.leaderSince == null ? o.now().toString() : prev.leaderSince);
        } else {
            s.leader = null;
            s.term = prev.term;
            s.leaderSince = null;
        }

        // Quorum.
        QuorumStatus q = new QuorumStatus();
        q.voters = voters;
        q.healthy = healthyVoters;
        q.required = QuorumMath.majority(voters);
        q.faultTolerance = QuorumMath.remainingTolerance(voters, healthyVoters);
        s.quorum = q;
        boolean quorum = QuorumMath.hasQuorum(voters, healthyVoters) && leader != null;
        boolean everLed = s.leaderChanges > 0;
        // No quorum of healthy voters while a majority still answers: an election (a leadership transfer, a
        // failover) rather than a lost quorum, for as long as elections take.
        boolean electing = !quorum && QuorumMath.hasQuorum(voters, answeringVoters)
                && unavailableFor(prev, o.now()).compareTo(ELECTION_GRACE) < 0;
        boolean quorumLost = everLed && !quorum && !electing;

        // Rollout.
        RolloutAction action = spec.paused() ? RolloutAction.NONE
                : RolloutPlanner.next(rolloutMembers, spec.updateType(), spec.transferLeadership());
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
                ready ? "QuorumHealthy" : notReadyReason(o, rolledOut, allPodsReady, leader),
                summary + (ready ? "" : "; " + progress(o, pods)) + warning));
        conditions.add(StatusConditions.condition(StatusConditions.AVAILABLE, quorum, gen,
                quorum ? "QuorumAvailable" : electing ? "Electing" : (leader == null ? "NoLeader" : "QuorumLost"),
                summary + " (" + QuorumMath.majority(voters) + " required)" + warning));

        String stalledReason = null;
        String stalledMessage = null;
        Optional<PodView> broken = o.pods().values().stream().filter(p -> p.problem() != null)
                .min(Comparator.comparing(PodView::name));
        if (broken.isPresent()) {
            stalledReason = "PodFailing";
            stalledMessage = "pod " + broken.get().name() + " cannot start: " + broken.get().problem()
                    + "; fix spec.image or the registry access";
        } else if (!action.blockedBy().isEmpty() && action.kind() == RolloutAction.Kind.WAIT && quorumLost) {
            stalledReason = "RolloutBlocked";
            stalledMessage = action.blockedBy();
        }
        boolean reconciling = !spec.paused() && stalledReason == null && !ready;
        conditions.add(StatusConditions.condition(StatusConditions.RECONCILING, reconciling, gen,
                spec.paused() ? "Paused" : (reconciling ? notReadyReason(o, rolledOut, allPodsReady, leader)
                        : (stalledReason != null ? stalledReason : "Converged")),
                spec.paused() ? "spec.paused is true: the operator observes and reports but changes nothing"
                        : (reconciling ? progress(o, pods) + (action.step().isEmpty() ? ""
                        : "; next: " + action.step()) + (action.blockedBy().isEmpty() ? ""
                        : " (" + action.blockedBy() + ")") : "the cluster matches generation " + gen)));
        conditions.add(StatusConditions.condition(StatusConditions.STALLED, stalledReason != null, gen,
                stalledReason != null ? stalledReason : "Progressing",
                stalledMessage != null ? stalledMessage : "no human action needed"));

        boolean degraded;
        String degradedReason;
        String degradedMessage;
        if (quorumLost) {
            degraded = true;
            degradedReason = "QuorumLost";
            degradedMessage = summary + "; " + QuorumMath.majority(voters) + " required: writes are unavailable";
        } else if (everLed && (electing ? answeringVoters : healthyVoters) < voters && voters > 1
                && QuorumMath.remainingTolerance(voters, electing ? answeringVoters : healthyVoters) == 0) {
            // while electing, members that answer are not failures: only those that do not answer count
            degraded = true;
            degradedReason = "NoFaultTolerance";
            degradedMessage = summary + "; one more voter failure loses quorum";
        } else if (electing && everLed) {
            degraded = false;
            degradedReason = "Electing";
            degradedMessage = summary + "; " + answeringVoters + "/" + voters + " voters answer: an election is in "
                    + "progress (QuorumLost if no leader within " + ELECTION_GRACE.toSeconds() + " s)";
        } else {
            degraded = false;
            degradedReason = everLed ? "QuorumHealthy" : "Bootstrapping";
            degradedMessage = everLed ? summary : "the cluster has not elected its first leader yet";
        }
        conditions.add(StatusConditions.condition(StatusConditions.DEGRADED, degraded, gen, degradedReason,
                degradedMessage));
        s.conditions = StatusConditions.withTransitionTimes(prev.conditions, conditions, o.now());

        s.phase = stalledReason != null ? "Stalled"
                : spec.paused() ? "Paused"
                : degraded && "QuorumLost".equals(degradedReason) ? "Degraded"
                : !o.workload().exists() || !everLed ? "Pending"
                : !ready ? "Updating"
                : "Running";

        // Events to publish, on transitions only.
        if (!o.warnings().isEmpty() && !Objects.equals(prev.observedGeneration, gen)) {
            events.add(EventToPublish.warning("EvenVoters", String.join("; ", o.warnings())));
        }
        if (StatusConditions.isTrue(prev.conditions, StatusConditions.STALLED) && stalledReason == null) {
            events.add(EventToPublish.normal("Unstalled", "the operator can make progress again"));
        }
        if (stalledReason != null && !Objects.equals(stalledMessage, messageOf(prev, StatusConditions.STALLED))) {
            events.add(EventToPublish.warning(stalledReason, stalledMessage));
        }
        boolean wasPaused = "Paused".equals(reasonOf(prev, StatusConditions.RECONCILING));
        if (spec.paused() && !wasPaused) {
            events.add(EventToPublish.normal("Paused", "spec.paused is true: changing nothing, still reporting status"));
        } else if (!spec.paused() && wasPaused) {
            events.add(EventToPublish.normal("Resumed", "spec.paused is false: reconciling again"));
        }
        if (degraded && !Objects.equals(degradedReason, reasonOf(prev, StatusConditions.DEGRADED))) {
            events.add(EventToPublish.warning(degradedReason, degradedMessage));
        } else if (!degraded && StatusConditions.isTrue(prev.conditions, StatusConditions.DEGRADED)
                && !"Electing".equals(degradedReason)) {
            events.add(EventToPublish.normal("QuorumHealthy", summary));
        }
        for (MemberStatus m : s.members) {
            MemberStatus old = prev.members == null ? null
                    : prev.members.stream().filter(x -> m.name.equals(x.name)).findFirst().orElse(null);
            if (Boolean.FALSE.equals(m.reachable) && (old == null || !Boolean.FALSE.equals(old.reachable))) {
                events.add(EventToPublish.warning("MemberUnreachable", m.name + " " + m.message));
            } else if (Boolean.TRUE.equals(m.reachable) && old != null && Boolean.FALSE.equals(old.reachable)) {
                events.add(EventToPublish.normal("MemberReachable", m.name + " answers again as " + m.role));
            }
        }
        return new Report(s, events, action);
    }

    /**
     * Since when the cluster has had no quorum of healthy voters, as of the previous status: Available's last
     * transition when it is False, else now.
     */
    private static Duration unavailableFor(ElectionClusterStatus prev, Instant now) {
        Condition available = StatusConditions.find(prev.conditions, StatusConditions.AVAILABLE);
        if (available == null || !"False".equals(available.getStatus()) || available.getLastTransitionTime() == null) {
            return Duration.ZERO;
        }
        try {
            return Duration.between(Instant.parse(available.getLastTransitionTime()), now);
        } catch (java.time.format.DateTimeParseException e) {
            return Duration.ZERO;
        }
    }

    private static String notReadyReason(Observed o, boolean rolledOut, boolean allPodsReady, Leader leader) {
        if (!o.workload().exists()) {
            return "Creating";
        }
        if (!rolledOut) {
            return "RollingUpdate";
        }
        if (!allPodsReady) {
            return "PodsStarting";
        }
        if (leader == null) {
            return "Electing";
        }
        return "MembersNotReady";
    }

    private static String progress(Observed o, int pods) {
        if (!o.workload().exists()) {
            return "StatefulSet not created yet";
        }
        return o.workload().readyReplicas() + "/" + pods + " pods ready, " + o.workload().updatedReplicas() + "/"
                + pods + " updated";
    }

    private static void fillProgress(MemberStatus m, String name, ReportedStatus leaderReport) {
        if (leaderReport == null || leaderReport.members() == null) {
            return;
        }
        for (ReportedStatus.ReportedMember rm : leaderReport.members()) {
            if (name.equals(rm.id())) {
                m.lastContactMs = rm.lastContactMs();
                if (rm.matchIndex() != null && leaderReport.lastLogIndex() != null) {
                    m.lag = Math.max(0, leaderReport.lastLogIndex() - rm.matchIndex());
                }
            }
        }
    }

    /** The leader: a member that says it leads, with the highest term; else the leader most followers name. */
    static Leader findLeader(Map<String, MemberObservation> members) {
        Optional<ReportedStatus> self = members.values().stream().filter(MemberObservation::isReachable)
                .map(MemberObservation::status).filter(ReportedStatus::leads)
                .max(Comparator.comparingLong(r -> r.term() == null ? -1 : r.term()));
        if (self.isPresent() && members.containsKey(self.get().nodeId())) {
            ReportedStatus r = self.get();
            return new Leader(r.nodeId(), r.term(), r.leaderSince());
        }
        Optional<ReportedStatus> named = members.values().stream().filter(MemberObservation::isReachable)
                .map(MemberObservation::status).filter(r -> r.leaderId() != null && !r.electing())
                .max(Comparator.comparingLong(r -> r.term() == null ? -1 : r.term()));
        return named.filter(r -> members.containsKey(r.leaderId()))
                .map(r -> new Leader(r.leaderId(), r.term(), r.leaderSince())).orElse(null);
    }

    /** The leader as the members report it. */
    record Leader(String name, Long term, String since) {
    }

    private static void copyObservedFacts(ElectionClusterStatus prev, ElectionClusterStatus s) {
        s.leader = prev.leader;
        s.term = prev.term;
        s.leaderSince = prev.leaderSince;
        s.leaderChanges = prev.leaderChanges;
        s.replicas = prev.replicas;
        s.readyReplicas = prev.readyReplicas;
        s.updatedReplicas = prev.updatedReplicas;
        s.members = prev.members == null ? new ArrayList<>() : prev.members;
        s.quorum = prev.quorum;
    }

    private static Condition carry(ElectionClusterStatus prev, String type, long gen, boolean status, String reason,
                                   String message) {
        Condition old = StatusConditions.find(prev.conditions, type);
        if (old == null) {
            return StatusConditions.condition(type, status, gen, reason, message);
        }
        return new Condition(old.getLastTransitionTime(), old.getMessage(), gen, old.getReason(), old.getStatus(),
                type);
    }

    private static String messageOf(ElectionClusterStatus prev, String type) {
        Condition c = StatusConditions.find(prev.conditions, type);
        return c == null ? null : c.getMessage();
    }

    private static String reasonOf(ElectionClusterStatus prev, String type) {
        Condition c = StatusConditions.find(prev.conditions, type);
        return c == null ? null : c.getReason();
    }
}
