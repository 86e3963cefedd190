package dev.ballot.operator.status;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.desired.MemberEndpoint;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.rollout.RolloutMember;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The members as they report themselves: one status.members row per expected member, the leader, the voters that
 * are healthy and those that answer, and each member as the rollout planner sees it. Pure.
 */
final class MemberRows {
    /**
     * How long after this operator began watching a cluster a member it has not heard from yet counts as unknown
     * rather than down: a new leader's first reconcile runs before any member has answered it, and every member
     * answers or fails within one request timeout (1 s by default). After this, silence counts as down again.
     */
    static final Duration NOT_HEARD_GRACE = Duration.ofSeconds(10);

    private MemberRows() {
    }

    /** The leader as the members report it. */
    record Leader(String name, Long term, String since) {
    }

    /**
     * @param unknownVoters voters not heard from yet within {@link #NOT_HEARD_GRACE} of the operator's start, whose
     *                      pods are ready: neither healthy nor down
     */
    record Result(List<MemberStatus> rows, Leader leader, int healthyVoters, int answeringVoters, int unknownVoters,
                  List<RolloutMember> rolloutMembers) {
    }

    static Result of(StatusBuilder.Inputs o) {
        List<MemberStatus> rows = new ArrayList<>();
        Leader leader = findLeader(o.members());
        ReportedStatus leaderReport = leader == null ? null : o.members().get(leader.name()).status();
        List<RolloutMember> rolloutMembers = new ArrayList<>();
        int healthyVoters = 0;
        int answeringVoters = 0;
        int unknownVoters = 0;
        boolean listening = listening(o.membersWatchedSince(), o.now());
        for (MemberEndpoint e : o.expectedMembers()) {
            MemberStatus m = new MemberStatus();
            m.name = e.name();
            m.id = e.id();
            m.voter = e.voter();
            PodView pod = o.pods().get(e.name());
            m.revision = pod == null ? null : pod.revision();
            MemberObservation obs = o.members().get(e.name());
            // Not heard from (yet), with a pod that serves: the operator knows nothing about it.
            boolean unknown = (obs == null || obs.neverAnswered()) && listening
                    && (pod == null || pod.serves());
            if (obs == null) {
                m.role = "unknown";
                m.reachable = null;
                m.ready = false;
                m.message = "not contacted yet";
            } else if (unknown) {
                m.role = "unknown";
                m.reachable = null;
                m.ready = false;
                m.message = "not answered yet: " + obs.error();
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
            boolean answering = obs != null && obs.isReachable() && (pod == null || pod.serves());
            if (e.voter() && answering) {
                answeringVoters++;
            }
            if (e.voter() && unknown) {
                unknownVoters++;
            }
            boolean updated = pod != null && o.workload().updateRevision() != null
                    && o.workload().updateRevision().equals(pod.revision());
            rolloutMembers.add(new RolloutMember(e.name(), e.id() - 1, e.voter(),
                    pod != null && !pod.terminating(), updated || o.workload().updateRevision() == null, healthy,
                    leader != null && leader.name().equals(e.name()), !healthy && !answering && !unknown));
            rows.add(m);
        }

        return new Result(rows, leader, healthyVoters, answeringVoters, unknownVoters, rolloutMembers);
    }

    /** Whether silence still means "not heard from yet": the operator began watching less than the grace ago. */
    static boolean listening(Instant watchedSince, Instant now) {
        return watchedSince == null || Duration.between(watchedSince, now).compareTo(NOT_HEARD_GRACE) < 0;
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

    /** status.leader, term, leaderSince and leaderChanges; a LeaderElected Event when the leader or term changed. */
    static void recordLeader(ElectionClusterStatus prev, ElectionClusterStatus s, Leader leader, Instant now,
                             List<EventToPublish> events) {
        s.leaderChanges = prev.leaderChanges == null ? 0L : prev.leaderChanges;
        if (leader != null) {
            s.leader = leader.name();
            s.term = leader.term();
            boolean changed = !leader.name().equals(prev.leader) || !Objects.equals(leader.term(), prev.term);
            if (changed) {
                if (!leader.name().equals(prev.leader)) {
                    s.leaderChanges = s.leaderChanges + 1;
                }
                events.add(EventToPublish.news("LeaderElected", leader.name() + " leads in term " + leader.term()));
            }
            s.leaderSince = leader.since() != null ? leader.since()
                    : (changed || prev.leaderSince == null ? now.toString() : prev.leaderSince);
        } else {
            s.leader = null;
            s.term = prev.term;
            s.leaderSince = null;
        }
    }
}
