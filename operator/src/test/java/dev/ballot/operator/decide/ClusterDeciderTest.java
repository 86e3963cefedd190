package dev.ballot.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.storage.Expansion;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The decision's status and Events from one observed snapshot (the table tests that were StatusBuilder's). Members column: one letter per voter, L leader, F follower, C candidate,
 * X unreachable. Workload column: ready/updated pods, and whether the StatefulSet controller caught up.
 */
class ClusterDeciderTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // label                     | members | ready | updated | caughtUp | everLed | formed | Ready | Available | Reconciling | Stalled | Degraded | degradedReason  | phase
        "healthy                     | LFF     | 3     | 3       | true     | true    | true   | True  | True      | False       | False   | False    | QuorumHealthy   | Running",
        "bootstrapping, no leader    | CCC     | 0     | 3       | true     | false   | false  | False | False     | True        | False   | False    | Bootstrapping   | Pending",
        "first leader, pods not ready| LXX     | 1     | 3       | true     | true    | false  | False | False     | True        | False   | False    | Bootstrapping   | Pending",
        "first quorum now available  | LFX     | 2     | 3       | true     | true    | false  | False | True      | True        | False   | True     | NoFaultTolerance| Updating",
        "one follower down           | LFX     | 2     | 3       | true     | true    | true   | False | True      | True        | False   | True     | NoFaultTolerance| Updating",
        "quorum lost                 | LXX     | 1     | 3       | true     | true    | true   | False | False     | True        | False   | True     | QuorumLost      | Degraded",
        "rolling update in progress  | LFF     | 3     | 2       | true     | true    | true   | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "StatefulSet not caught up   | LFF     | 3     | 3       | false    | true    | true   | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "5 voters, one down          | LFFFX   | 4     | 5       | true     | true    | true   | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "election, majority answers  | CCC     | 3     | 3       | true     | true    | true   | False | False     | True        | False   | False    | Electing        | Updating",
        "election, majority down     | CXX     | 1     | 3       | true     | true    | true   | False | False     | True        | False   | True     | QuorumLost      | Degraded",
        "first election, none ready  | CXX     | 1     | 3       | true     | true    | false  | False | False     | True        | False   | False    | Bootstrapping   | Pending"})
    void conditions(String label, String members, int ready, int updated, boolean caughtUp, boolean everLed,
                    boolean formed, String readyStatus, String available, String reconciling, String stalled,
                    String degraded, String degradedReason, String phase) {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leaderChanges = everLed ? 1L : 0L;
        previous.leader = everLed ? "ec-0" : null;
        previous.term = everLed ? 5L : null;
        // formed: the previous status said the quorum had been available (as the operator writes it once it was)
        previous.conditions = new java.util.ArrayList<>(List.of(StatusConditions.condition(StatusConditions.DEGRADED,
                false, 7L, formed ? "QuorumHealthy" : "Bootstrapping", "before")));
        ClusterDecision.Final r = run(observed(members, new WorkloadView(true, ready, updated, "rev-1",
                caughtUp), previous, spec(members.length())));
        List<Condition> c = r.status().conditions;
        assertThat(status(c, StatusConditions.READY)).as("Ready").isEqualTo(readyStatus);
        assertThat(status(c, StatusConditions.AVAILABLE)).as("Available").isEqualTo(available);
        assertThat(status(c, StatusConditions.RECONCILING)).as("Reconciling").isEqualTo(reconciling);
        assertThat(status(c, StatusConditions.STALLED)).as("Stalled").isEqualTo(stalled);
        assertThat(status(c, StatusConditions.DEGRADED)).as("Degraded").isEqualTo(degraded);
        assertThat(StatusConditions.find(c, StatusConditions.DEGRADED).getReason()).isEqualTo(degradedReason);
        assertThat(r.status().phase).isEqualTo(phase);
        assertThat(c).allSatisfy(x -> {
            assertThat(x.getObservedGeneration()).isEqualTo(7L);
            assertThat(x.getReason()).isNotBlank();
            assertThat(x.getMessage()).isNotBlank();
            assertThat(x.getLastTransitionTime()).isNotNull();
        });
    }

    @Test
    void theLastQuorumRecoveryIsCarriedOverWhateverElseChanges() {
        dev.ballot.operator.api.RecoveryStatus kept = dev.ballot.operator.status.RecoveryStatuses.of("ec-2", "req-1",
                205, 3, false, NOW.minusSeconds(3600));
        // (members, previous recovery) -> status.recovery: never invented, never dropped, never changed by a reconcile
        record Row(String members, dev.ballot.operator.api.RecoveryStatus previous) {
        }
        for (Row row : List.of(new Row("LFF", null), new Row("CCC", null), new Row("LFF", kept), new Row("CCC", kept),
                new Row("LXX", kept), new Row("XXX", kept))) {
            ElectionClusterStatus previous = new ElectionClusterStatus();
            previous.recovery = row.previous();
            ClusterDecision.Final r = run(observed(row.members(), healthyWorkload(), previous, spec(3)));
            assertThat(r.status().recovery).as(row.toString()).isSameAs(row.previous());
        }
        ElectionClusterStatus invalid = new ElectionClusterStatus();
        invalid.recovery = kept;
        assertThat(run(new Case(snapshot(8, spec(0), null, Map.of(), Map.of(), invalid), healthyWorkload()))
                .status().recovery).as("an invalid spec keeps it too").isSameAs(kept);
    }

    @Test
    void leaderChangeIsCountedAndAnnouncedOnce() {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leader = "ec-1";
        previous.term = 4L;
        previous.leaderChanges = 2L;
        ClusterDecision.Final r = run(observed("LFF", healthyWorkload(), previous, spec(3)));
        assertThat(r.status().leader).isEqualTo("ec-0");
        assertThat(r.status().term).isEqualTo(5L);
        assertThat(r.status().leaderChanges).isEqualTo(3L);
        assertThat(r.events()).extracting(EventToPublish::reason).contains("LeaderElected");

        ClusterDecision.Final again = run(observed("LFF", healthyWorkload(), r.status(), spec(3)));
        assertThat(again.status().leaderChanges).isEqualTo(3L);
        assertThat(again.events()).extracting(EventToPublish::reason).doesNotContain("LeaderElected");
        // Unchanged conditions keep their transition time.
        assertThat(again.status().conditions).isEqualTo(r.status().conditions);
    }

    @Test
    void invalidSpecIsStalledAndReadyFalseAtThatGeneration() {
        ElectionClusterStatus previous = run(observed("LFF", healthyWorkload(), null, spec(3))).status();
        ClusterDecision.Final r = run(new Case(snapshot(8, spec(0), null, Map.of(), Map.of(), previous),
                WorkloadView.MISSING));
        Condition stalled = StatusConditions.find(r.status().conditions, StatusConditions.STALLED);
        assertThat(stalled.getStatus()).isEqualTo("True");
        assertThat(stalled.getReason()).isEqualTo("InvalidSpec");
        assertThat(stalled.getMessage()).contains("spec.replicas");
        assertThat(StatusConditions.find(r.status().conditions, StatusConditions.READY).getStatus())
                .isEqualTo("False");
        assertThat(r.status().observedGeneration).isEqualTo(8L);
        assertThat(r.status().leader).as("what runs is still reported").isEqualTo("ec-0");
        assertThat(r.events()).extracting(EventToPublish::reason).containsExactly("InvalidSpec");
    }

    @Test
    void imagePullFailureStallsWithTheFix() {
        Map<String, PodView> pods = new HashMap<>();
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false,
                List.of(new PodView.Waiting("ContainerCreating", null), new PodView.Waiting("ImagePullBackOff", null))));
        Case base = observed("LFX", new WorkloadView(true, 2, 3, "rev-1", true), null, spec(3));
        Case c = new Case(snapshot(7, spec(3), null, pods, base.o().members(), null), base.workload());
        Condition stalled = StatusConditions.find(run(c).status().conditions, StatusConditions.STALLED);
        assertThat(stalled.getReason()).isEqualTo("PodFailing");
        assertThat(stalled.getMessage()).contains("ec-1").contains("ImagePullBackOff").contains("spec.image");
    }

    @Test
    void evenVotersWarnOncePerGeneration() {
        Case c = observed("LFFF", new WorkloadView(true, 4, 4, "rev-1", true), null, spec(4));
        ClusterDecision.Final first = run(c);
        assertThat(first.events()).extracting(EventToPublish::reason).contains("EvenVoters");
        assertThat(StatusConditions.find(first.status().conditions, StatusConditions.AVAILABLE).getMessage())
                .contains("Warning: spec.replicas is even (4)");
        Case second = observed("LFFF", c.workload(), first.status(), spec(4));
        assertThat(run(second).events()).extracting(EventToPublish::reason).doesNotContain("EvenVoters");
    }

    @Test
    void anElectionThatOutlastsTheGraceIsALostQuorum() {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leaderChanges = 1L;
        // as the operator writes them during an election of a cluster whose quorum had been available
        Condition electing = new Condition(NOW.minusSeconds(30).toString(), "electing", 7L, "Electing", "False",
                StatusConditions.DEGRADED);
        previous.conditions = List.of(new Condition(NOW.minus(dev.ballot.operator.status.StatusBuilder.ELECTION_GRACE).minusSeconds(1).toString(),
                "no leader", 7L, "Electing", "False", StatusConditions.AVAILABLE), electing);
        var c = run(observed("CCC", healthyWorkload(), previous, spec(3))).status().conditions;
        assertThat(StatusConditions.find(c, StatusConditions.DEGRADED).getReason()).isEqualTo("QuorumLost");
        assertThat(status(c, StatusConditions.DEGRADED)).isEqualTo("True");

        previous.conditions = List.of(new Condition(NOW.minusSeconds(1).toString(), "no leader", 7L, "Electing",
                "False", StatusConditions.AVAILABLE), electing);
        c = run(observed("CCC", healthyWorkload(), previous, spec(3))).status().conditions;
        assertThat(StatusConditions.find(c, StatusConditions.DEGRADED).getReason()).isEqualTo("Electing");
        assertThat(StatusConditions.find(c, StatusConditions.AVAILABLE).getReason()).isEqualTo("Electing");
    }

    @Test
    void aFollowerThatLostContactWithTheLeaderIsNotReady() {
        Case c = observed("LFF", healthyWorkload(), null, spec(3));
        Map<String, MemberObservation> members = new HashMap<>(c.o().members());
        members.put("ec-2", MemberObservation.reachable("ec-2", new ReportedStatus("ec", "ec-2", "raft", "follower",
                5L, "ec-0", null, null, 10L, 10L, 10L, 4200L, "0.1.0", List.of())));
        var status = run(new Case(snapshot(7, spec(3), null, Map.of(), members, null), c.workload())).status();
        var m = status.members.stream().filter(x -> "ec-2".equals(x.name)).findFirst().orElseThrow();
        assertThat(m.ready).isFalse();
        assertThat(m.message).isEqualTo("no contact with the leader for 4200 ms");
        assertThat(status.quorum.healthy).isEqualTo(2);
    }

    private static WorkloadView healthyWorkload() {
        return new WorkloadView(true, 3, 3, "rev-1", true);
    }

    static ElectionClusterSpec spec(int voters) {
        ElectionClusterSpec s = new ElectionClusterSpec();
        s.protocol = ConsensusProtocol.Raft;
        s.replicas = voters;
        return s;
    }

    /** A snapshot and the StatefulSet's status once the children are applied. */
    record Case(Observed o, WorkloadView workload) {
    }

    /** Every decision step, with executors that did nothing. */
    static ClusterDecision.Final run(Case c) {
        ClusterDecision d = ClusterDecider.decide(c.o(), ClusterDecider.intend(c.o()), c.workload());
        return ClusterDecider.settle(c.o(), d, List.of(), null);
    }

    /**
     * Members column: one letter per member, L leader, F follower, C candidate, X unreachable. No StatefulSet yet
     * (so the expected members are the spec's), no pods.
     */
    private static Case observed(String roles, WorkloadView workload, ElectionClusterStatus previous,
                                 ElectionClusterSpec spec) {
        Map<String, MemberObservation> members = new HashMap<>();
        String leader = roles.indexOf('L') >= 0 ? "ec-" + roles.indexOf('L') : null;
        for (int i = 0; i < roles.length(); i++) {
            String name = "ec-" + i;
            char r = roles.charAt(i);
            if (r == 'X') {
                members.put(name, MemberObservation.unreachable(name, "ConnectException: Connection refused"));
                continue;
            }
            String role = r == 'L' ? "leader" : r == 'F' ? "follower" : "candidate";
            members.put(name, MemberObservation.reachable(name, new ReportedStatus("ec", name, "raft", role, 5L,
                    r == 'C' ? null : leader, null, null, 10L, 10L, 10L, null, "0.1.0", List.of())));
        }
        return new Case(snapshot(7, spec, null, Map.of(), members, previous), workload);
    }

    static Observed snapshot(long generation, ElectionClusterSpec spec, StatefulSetView sts,
                             Map<String, PodView> pods, Map<String, MemberObservation> members,
                             ElectionClusterStatus previous) {
        return snapshot(generation, spec, sts, pods, members, NOW.minusSeconds(600), previous);
    }

    /** @param watchedSince when the operator began watching the members (null: not yet) */
    static Observed snapshot(long generation, ElectionClusterSpec spec, StatefulSetView sts,
                             Map<String, PodView> pods, Map<String, MemberObservation> members, Instant watchedSince,
                             ElectionClusterStatus previous) {
        return new Observed("ec", "ns", generation, spec, EffectiveSpec.of(spec), sts, pods, members, watchedSince,
                List.of(),
                cls -> Expansion.ALLOWED, leader -> Optional.empty(), previous, null,
                new Observed.Settings(true, Duration.ofSeconds(30)), NOW);
    }

    private static String status(List<Condition> conditions, String type) {
        return StatusConditions.find(conditions, type).getStatus();
    }
}
