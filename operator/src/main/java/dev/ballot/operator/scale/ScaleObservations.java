package dev.ballot.operator.scale;

import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.status.PodView;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns what the reconciler sees (pods, the members' own reports) into the planner's input. Pure. */
public final class ScaleObservations {
    private ScaleObservations() {
    }

    /**
     * @param statefulSetReplicas null when the StatefulSet does not exist
     * @param votersAnnotation    the StatefulSet's {@code ballot.dev/voters} value, or null
     * @param updateRevision      the StatefulSet's update revision, or null when not known
     */
    public static ScaleObservation of(String cluster, EffectiveSpec spec, Integer statefulSetReplicas,
                                      String votersAnnotation, String updateRevision, Map<String, PodView> pods,
                                      Map<String, MemberObservation> members) {
        Map<String, ScaleObservation.PodState> podStates = new HashMap<>();
        boolean outdated = false;
        for (PodView p : pods.values()) {
            podStates.put(p.name(), new ScaleObservation.PodState(!p.terminating(), p.ready()));
            outdated |= !p.terminating() && updateRevision != null && p.revision() != null
                    && !updateRevision.equals(p.revision());
        }
        Map<String, ScaleObservation.MemberReport> reports = new HashMap<>();
        for (MemberObservation m : members.values()) {
            if (m.isReachable()) {
                ReportedStatus r = m.status();
                reports.put(m.name(), new ScaleObservation.MemberReport(m.name(),
                        r.leaderId() != null && !r.electing() && !r.leaderContactStale(), configuration(r)));
            }
        }
        return new ScaleObservation(cluster, spec.protocol(), spec.voters(), spec.nonVoters(), statefulSetReplicas,
                parse(votersAnnotation), podStates, leader(members), reports, outdated);
    }

    /** The member that says it leads, in the highest term, with its configuration and progress. */
    static ScaleObservation.LeaderReport leader(Map<String, MemberObservation> members) {
        return members.values().stream().filter(MemberObservation::isReachable).map(MemberObservation::status)
                .filter(r -> r.leads() && r.members() != null && r.nodeId() != null)
                .max(Comparator.comparingLong(r -> r.term() == null ? -1 : r.term()))
                .map(r -> new ScaleObservation.LeaderReport(r.nodeId(),
                        r.lastLogIndex() == null ? 0 : r.lastLogIndex(),
                        r.members().stream().map(m -> new ScaleObservation.ConfiguredMember(m.id(), m.kind(),
                                m.matchIndex())).toList()))
                .orElse(null);
    }

    private static Set<String> configuration(ReportedStatus r) {
        List<ReportedStatus.ReportedMember> members = r.members() == null ? List.of() : r.members();
        return members.stream().map(m -> m.id() + "/" + m.kind()).collect(Collectors.toUnmodifiableSet());
    }

    private static Integer parse(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
