package dev.ballot.operator.scale;

import dev.ballot.operator.api.ConsensusProtocol;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the scale planner decides from, all observed (nothing remembered by the operator process, so it may
 * restart at any step).
 *
 * @param cluster             the ElectionCluster's name (pods are {@code <cluster>-<ordinal>})
 * @param desiredVoters       spec.replicas
 * @param nonVoters           spec.learners (Raft) or spec.observers (ZAB)
 * @param statefulSetReplicas the StatefulSet's spec.replicas; null when it does not exist yet
 * @param recordedVoters      the StatefulSet's {@code ballot.dev/voters} annotation: how many voters the node
 *                            configuration lists now; null when absent
 * @param pods                member pods by name
 * @param leader              the leader's own report; null when no member says it leads
 * @param reports             each reachable member's own report, by name
 * @param rolloutPending      some pod runs an outdated template (a rolling update is in progress)
 */
public record ScaleObservation(
        String cluster,
        ConsensusProtocol protocol,
        int desiredVoters,
        int nonVoters,
        Integer statefulSetReplicas,
        Integer recordedVoters,
        Map<String, PodState> pods,
        LeaderReport leader,
        Map<String, MemberReport> reports,
        boolean rolloutPending) {

    /** A member pod: {@code present} exists and is not terminating; {@code ready} its Ready condition. */
    public record PodState(boolean present, boolean ready) {
    }

    /** The leader's view: its name, last log index and the configuration with each member's progress. */
    public record LeaderReport(String name, long lastIndex, List<ConfiguredMember> members) {
    }

    /** One member of the leader's configuration; {@code matchIndex} null when the leader does not know it. */
    public record ConfiguredMember(String name, String kind, Long matchIndex) {
        public boolean voter() {
            return "voter".equals(kind);
        }
    }

    /**
     * A reachable member's own view: whether it follows a known leader, and its configuration as
     * {@code name/kind} strings.
     */
    public record MemberReport(String name, boolean knowsLeader, Set<String> configuration) {
    }
}
