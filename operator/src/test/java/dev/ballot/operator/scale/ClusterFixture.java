package dev.ballot.operator.scale;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.scale.ScaleObservation.ConfiguredMember;
import dev.ballot.operator.scale.ScaleObservation.LeaderReport;
import dev.ballot.operator.scale.ScaleObservation.MemberReport;
import dev.ballot.operator.scale.ScaleObservation.PodState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster as the scale and replacement planners observe it, built up one fact at a time: voters at ordinals
 * 0..n-1 that all follow leader 0 and are caught up, then changed (a learner, a member down, a stale configuration).
 */
public final class ClusterFixture {
    private final String name;
    private final ConsensusProtocol protocol;
    private final int desired;
    private int nonVoters;
    private Integer sts;
    private Integer recorded;
    private final Map<Integer, String> kinds = new HashMap<>();
    private final Map<Integer, Long> match = new HashMap<>();
    private final Map<Integer, Boolean> podReady = new HashMap<>();
    private final Set<Integer> down = new HashSet<>();
    private final Set<Integer> stale = new HashSet<>();
    private Integer leader = 0;
    private boolean rollout;
    private static final long LAST = 1000;

    private ClusterFixture(String name, ConsensusProtocol protocol, int voters, int desired) {
        this.name = name;
        this.protocol = protocol;
        this.desired = desired;
        this.sts = voters;
        this.recorded = voters;
        for (int i = 0; i < voters; i++) {
            kinds.put(i, "voter");
            match.put(i, LAST);
            podReady.put(i, true);
        }
    }

    public static ClusterFixture raft(int voters, int desired) {
        return new ClusterFixture("raft-3", ConsensusProtocol.Raft, voters, desired);
    }

    public static ClusterFixture zab(int voters, int desired) {
        return new ClusterFixture("zab-5", ConsensusProtocol.Zab, voters, desired);
    }

    public ClusterFixture noStatefulSet() {
        sts = null;
        recorded = null;
        podReady.clear();
        return noLeader();
    }

    public ClusterFixture noLeader() {
        leader = null;
        return this;
    }

    public ClusterFixture leader(int ordinal) {
        leader = ordinal;
        return this;
    }

    public ClusterFixture sts(int replicas) {
        sts = replicas;
        return this;
    }

    public ClusterFixture recorded(Integer voters) {
        recorded = voters;
        return this;
    }

    public ClusterFixture nonVoters(int n) {
        nonVoters = n;
        return this;
    }

    public ClusterFixture pod(int ordinal, boolean ready) {
        podReady.put(ordinal, ready);
        return this;
    }

    public ClusterFixture podNotReady(int ordinal) {
        return pod(ordinal, false);
    }

    public ClusterFixture learner(int ordinal, Integer matchIndex) {
        kinds.put(ordinal, protocol == ConsensusProtocol.Zab ? "observer" : "learner");
        match.put(ordinal, matchIndex == null ? null : matchIndex.longValue());
        podReady.putIfAbsent(ordinal, true);
        return this;
    }

    /** These members are down: pod not ready, no answer. */
    public ClusterFixture podDown(int... ordinals) {
        for (int o : ordinals) {
            down.add(o);
            podReady.put(o, false);
        }
        return this;
    }

    /** This member is not in the configuration (its pod still exists). */
    public ClusterFixture removed(int ordinal) {
        kinds.remove(ordinal);
        match.remove(ordinal);
        return this;
    }

    /** These members still report the configuration before the last change (they have not appended it yet). */
    public ClusterFixture stale(int... ordinals) {
        for (int o : ordinals) {
            stale.add(o);
        }
        return this;
    }

    public ClusterFixture rollout() {
        rollout = true;
        return this;
    }

    /** Rename the voters (to build a configuration that is not ordinals 0..n-1). */
    public ClusterFixture voterNames(int... ordinals) {
        kinds.clear();
        for (int o : ordinals) {
            kinds.put(o, "voter");
            match.put(o, LAST);
            podReady.put(o, true);
        }
        return this;
    }

    public ScaleObservation observation() {
        Map<String, PodState> pods = new HashMap<>();
        podReady.forEach((o, ready) -> pods.put(pod(o), new PodState(true, ready)));
        List<ConfiguredMember> config = new ArrayList<>();
        kinds.keySet().stream().sorted().forEach(o -> config.add(new ConfiguredMember(pod(o), kinds.get(o),
                match.get(o))));
        Set<String> current = ScalePlanner.configuration(config);
        Set<String> before = new HashSet<>(current);
        before.add("an-older/configuration");
        Map<String, MemberReport> reports = new HashMap<>();
        if (leader != null) {
            for (int o : kinds.keySet()) {
                if (!down.contains(o)) {
                    reports.put(pod(o), new MemberReport(pod(o), !podReady.containsKey(o) || podReady.get(o),
                            stale.contains(o) ? before : current));
                }
            }
        }
        LeaderReport leaderReport = leader == null ? null : new LeaderReport(pod(leader), LAST, config);
        return new ScaleObservation(name, protocol, desired, nonVoters, sts, recorded, pods, leaderReport, reports,
                rollout);
    }

    private String pod(int ordinal) {
        return name + "-" + ordinal;
    }

    @Override
    public String toString() {
        return name;
    }
}
