package dev.ballot.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.desired.DesiredChildren;
import dev.ballot.operator.desired.EffectiveSpec;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Conditions from observed state. Members column: one letter per voter, L leader, F follower, C candidate,
 * X unreachable. Workload column: ready/updated pods, and whether the StatefulSet controller caught up.
 */
class StatusBuilderTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // label                     | members | ready | updated | caughtUp | everLed | Ready | Available | Reconciling | Stalled | Degraded | degradedReason  | phase
        "healthy                     | LFF     | 3     | 3       | true     | true    | True  | True      | False       | False   | False    | QuorumHealthy   | Running",
        "bootstrapping, no leader    | CCC     | 0     | 3       | true     | false   | False | False     | True        | False   | False    | Bootstrapping   | Pending",
        "one follower down           | LFX     | 2     | 3       | true     | true    | False | True      | True        | False   | True     | NoFaultTolerance| Updating",
        "quorum lost                 | LXX     | 1     | 3       | true     | true    | False | False     | True        | False   | True     | QuorumLost      | Degraded",
        "rolling update in progress  | LFF     | 3     | 2       | true     | true    | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "StatefulSet not caught up   | LFF     | 3     | 3       | false    | true    | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "5 voters, one down          | LFFFX   | 4     | 5       | true     | true    | False | True      | True        | False   | False    | QuorumHealthy   | Updating",
        "election, majority answers  | CCC     | 3     | 3       | true     | true    | False | False     | True        | False   | False    | Electing        | Updating",
        "election, majority down     | CXX     | 1     | 3       | true     | true    | False | False     | True        | False   | True     | QuorumLost      | Degraded"})
    void conditions(String label, String members, int ready, int updated, boolean caughtUp, boolean everLed,
                    String readyStatus, String available, String reconciling, String stalled, String degraded,
                    String degradedReason, String phase) {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leaderChanges = everLed ? 1L : 0L;
        previous.leader = everLed ? "ec-0" : null;
        previous.term = everLed ? 5L : null;
        StatusBuilder.Report r = StatusBuilder.build(observed(members, new WorkloadView(true, ready, updated, "rev-1",
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
    void leaderChangeIsCountedAndAnnouncedOnce() {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leader = "ec-1";
        previous.term = 4L;
        previous.leaderChanges = 2L;
        StatusBuilder.Report r = StatusBuilder.build(observed("LFF", healthyWorkload(), previous, spec(3)));
        assertThat(r.status().leader).isEqualTo("ec-0");
        assertThat(r.status().term).isEqualTo(5L);
        assertThat(r.status().leaderChanges).isEqualTo(3L);
        assertThat(r.events()).extracting(EventToPublish::reason).contains("LeaderElected");

        StatusBuilder.Report again = StatusBuilder.build(observed("LFF", healthyWorkload(), r.status(), spec(3)));
        assertThat(again.status().leaderChanges).isEqualTo(3L);
        assertThat(again.events()).extracting(EventToPublish::reason).doesNotContain("LeaderElected");
        // Unchanged conditions keep their transition time.
        assertThat(again.status().conditions).isEqualTo(r.status().conditions);
    }

    @Test
    void invalidSpecIsStalledAndReadyFalseAtThatGeneration() {
        ElectionClusterStatus previous = StatusBuilder.build(observed("LFF", healthyWorkload(), null, spec(3)))
                .status();
        StatusBuilder.Report r = StatusBuilder.build(new StatusBuilder.Inputs("ec", 8, null,
                List.of("spec.replicas must be at least 1 (it is 0): set it to 1, 3 or 5 voters"), List.of(),
                List.of(), WorkloadView.MISSING, Map.of(), Map.of(), previous, "sel", NOW));
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
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false, List.of(new PodView.Waiting("ImagePullBackOff", null))));
        var base = observed("LFX", new WorkloadView(true, 2, 3, "rev-1", true), null, spec(3));
        var o = new StatusBuilder.Inputs(base.name(), base.generation(), base.spec(), base.problems(),
                base.warnings(), base.expectedMembers(), base.workload(), pods, base.members(), base.previous(),
                base.selector(), NOW);
        Condition stalled = StatusConditions.find(StatusBuilder.build(o).status().conditions,
                StatusConditions.STALLED);
        assertThat(stalled.getReason()).isEqualTo("PodFailing");
        assertThat(stalled.getMessage()).contains("ec-1").contains("ImagePullBackOff").contains("spec.image");
    }

    @Test
    void evenVotersWarnOncePerGeneration() {
        var o = observed("LFFF", new WorkloadView(true, 4, 4, "rev-1", true), null, spec(4));
        var withWarning = new StatusBuilder.Inputs(o.name(), o.generation(), o.spec(), o.problems(),
                List.of("spec.replicas is even (4)"), o.expectedMembers(), o.workload(), o.pods(), o.members(),
                o.previous(), o.selector(), NOW);
        StatusBuilder.Report first = StatusBuilder.build(withWarning);
        assertThat(first.events()).extracting(EventToPublish::reason).contains("EvenVoters");
        assertThat(StatusConditions.find(first.status().conditions, StatusConditions.AVAILABLE).getMessage())
                .contains("Warning: spec.replicas is even (4)");
        var second = new StatusBuilder.Inputs(o.name(), o.generation(), o.spec(), o.problems(),
                withWarning.warnings(), o.expectedMembers(), o.workload(), o.pods(), o.members(), first.status(),
                o.selector(), NOW);
        assertThat(StatusBuilder.build(second).events()).extracting(EventToPublish::reason)
                .doesNotContain("EvenVoters");
    }

    @Test
    void anElectionThatOutlastsTheGraceIsALostQuorum() {
        ElectionClusterStatus previous = new ElectionClusterStatus();
        previous.leaderChanges = 1L;
        previous.conditions = List.of(new Condition(NOW.minus(StatusBuilder.ELECTION_GRACE).minusSeconds(1).toString(),
                "no leader", 7L, "Electing", "False", StatusConditions.AVAILABLE));
        var c = StatusBuilder.build(observed("CCC", healthyWorkload(), previous, spec(3))).status().conditions;
        assertThat(StatusConditions.find(c, StatusConditions.DEGRADED).getReason()).isEqualTo("QuorumLost");
        assertThat(status(c, StatusConditions.DEGRADED)).isEqualTo("True");

        previous.conditions = List.of(new Condition(NOW.minusSeconds(1).toString(), "no leader", 7L, "Electing",
                "False", StatusConditions.AVAILABLE));
        c = StatusBuilder.build(observed("CCC", healthyWorkload(), previous, spec(3))).status().conditions;
        assertThat(StatusConditions.find(c, StatusConditions.DEGRADED).getReason()).isEqualTo("Electing");
        assertThat(StatusConditions.find(c, StatusConditions.AVAILABLE).getReason()).isEqualTo("Electing");
    }

    @Test
    void aFollowerThatLostContactWithTheLeaderIsNotReady() {
        var o = observed("LFF", healthyWorkload(), null, spec(3));
        Map<String, MemberObservation> members = new HashMap<>(o.members());
        members.put("ec-2", MemberObservation.reachable("ec-2", new ReportedStatus("ec", "ec-2", "raft", "follower",
                5L, "ec-0", null, null, 10L, 10L, 10L, 4200L, "0.1.0", List.of())));
        var status = StatusBuilder.build(new StatusBuilder.Inputs(o.name(), o.generation(), o.spec(), o.problems(),
                o.warnings(), o.expectedMembers(), o.workload(), o.pods(), members, o.previous(), o.selector(), NOW))
                .status();
        var m = status.members.stream().filter(x -> "ec-2".equals(x.name)).findFirst().orElseThrow();
        assertThat(m.ready).isFalse();
        assertThat(m.message).isEqualTo("no contact with the leader for 4200 ms");
        assertThat(status.quorum.healthy).isEqualTo(2);
    }

    private static WorkloadView healthyWorkload() {
        return new WorkloadView(true, 3, 3, "rev-1", true);
    }

    private static EffectiveSpec spec(int voters) {
        ElectionClusterSpec s = new ElectionClusterSpec();
        s.protocol = ConsensusProtocol.Raft;
        s.replicas = voters;
        return EffectiveSpec.of(s);
    }

    private static StatusBuilder.Inputs observed(String roles, WorkloadView workload,
                                                   ElectionClusterStatus previous, EffectiveSpec spec) {
        DesiredChildren plan = new DesiredChildren("ec", "ns", spec);
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
        return new StatusBuilder.Inputs("ec", 7, spec, List.of(), List.of(), plan.members(), workload, Map.of(),
                members, previous, "sel", NOW);
    }

    private static String status(List<Condition> conditions, String type) {
        return StatusConditions.find(conditions, type).getStatus();
    }
}
