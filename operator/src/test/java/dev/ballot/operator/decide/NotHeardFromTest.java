package dev.ballot.operator.decide;

import static dev.ballot.operator.decide.ClusterDeciderTest.run;
import static dev.ballot.operator.decide.ClusterDeciderTest.snapshot;
import static dev.ballot.operator.decide.ClusterDeciderTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.StatusBuilder;
import dev.ballot.operator.status.StatusConditions;
import dev.ballot.operator.status.WorkloadView;
import dev.ballot.operator.step.Step;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A member the operator has not heard from yet is unknown, not unhealthy: right after an operator starts or takes over
 * (its first reconcile runs before any member answered), the status must neither claim QuorumLost nor Ready. The
 * previous verdict (Available, Degraded, phase) stands until enough members report, for at most
 * {@link StatusBuilder#NOT_HEARD_GRACE}; after that, silence counts as down again.
 */
class NotHeardFromTest {
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final String PREV_AVAILABLE_AT = "2026-11-27T11:00:00Z";

    /**
     * Members: one letter per voter, L leader, F follower (naming ec-0 its leader), X unreachable, ? not heard from
     * yet (no observation), T not answered yet (every contact of this operator so far failed, as a cold JVM's first
     * TLS handshakes outlasting the request deadline). Watched: seconds since the operator began watching, - for not yet (its first reconcile).
     * Previous: what the previous operator's last status said, H healthy and Running (Available True, Degraded False
     * QuorumHealthy), - none (a new cluster). Ready pods: all three pods are Ready unless told otherwise.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // label                                 | members | watched | prev | Available | availableReason | Degraded | degradedReason   | Ready | readyReason  | phase
        "takeover, no member heard yet           | ???     | -       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "takeover, 3 s in, none heard            | ???     | 3       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "only a follower heard, leader not       | ?F?     | 0       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "only the leader heard                   | L??     | 0       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "quorum heard, one not: no false alarm   | LF?     | 0       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "all heard                               | LFF     | 0       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | True  | QuorumHealthy| Running",
        "two known down: the unknown cannot help | XX?     | 0       | H    | False     | NoLeader        | True     | QuorumLost       | False | Electing     | Degraded",
        "takeover, first contacts timed out      | TTT     | 3       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "quorum heard, one first contact failed  | LFT     | 3       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "one known down, one not answered yet    | LXT     | 3       | H    | True      | QuorumAvailable | False    | QuorumHealthy    | False | Observing    | Running",
        "past the grace, never answering is down | TTT     | 11      | H    | False     | NoLeader        | True     | QuorumLost       | False | Electing     | Degraded",
        "past the grace, silence is down         | ???     | 11      | H    | False     | NoLeader        | True     | QuorumLost       | False | Electing     | Degraded",
        "new cluster, none heard                 | ???     | -       | -    | False     | Observing       | False    | Observing        | False | Observing    | Pending"})
    void theVerdictWaitsForTheMembersReports(String label, String members, String watched, String prev,
                                             String available, String availableReason, String degraded,
                                             String degradedReason, String ready, String readyReason, String phase) {
        ElectionClusterStatus previous = "H".equals(prev) ? healthyRunning() : null;
        Instant watchedSince = "-".equals(watched) ? null : NOW.minusSeconds(Long.parseLong(watched));
        ClusterDecision.Final r = run(new ClusterDeciderTest.Case(snapshot(7, spec(3), null, readyPods(3),
                observations(members), watchedSince, previous), new WorkloadView(true, 3, 3, "rev-1", true)));
        List<Condition> c = r.status().conditions;
        assertThat(find(c, StatusConditions.AVAILABLE).getStatus()).as("Available").isEqualTo(available);
        assertThat(find(c, StatusConditions.AVAILABLE).getReason()).as("Available reason").isEqualTo(availableReason);
        assertThat(find(c, StatusConditions.DEGRADED).getStatus()).as("Degraded").isEqualTo(degraded);
        assertThat(find(c, StatusConditions.DEGRADED).getReason()).as("Degraded reason").isEqualTo(degradedReason);
        assertThat(find(c, StatusConditions.READY).getStatus()).as("Ready").isEqualTo(ready);
        assertThat(find(c, StatusConditions.READY).getReason()).as("Ready reason").isEqualTo(readyReason);
        assertThat(r.status().phase).as("phase").isEqualTo(phase);
        if (previous != null && "True".equals(available)) {
            assertThat(find(c, StatusConditions.AVAILABLE).getLastTransitionTime()).as("Available did not flip")
                    .isEqualTo(PREV_AVAILABLE_AT);
        }
        if (members.contains("?") && !"Degraded".equals(phase)) {
            assertThat(r.events()).extracting(EventToPublish::reason).as("nothing to announce yet")
                    .doesNotContain("QuorumLost", "NoFaultTolerance", "Observing");
            assertThat(r.recheck()).as("look again soon").isEqualTo(ClusterDecider.ROLLOUT_RECHECK);
        }
    }

    @Test
    void aMemberNotHeardFromIsReportedAsSuch() {
        var status = run(new ClusterDeciderTest.Case(snapshot(7, spec(3), null, readyPods(3), observations("LF?"),
                NOW, healthyRunning()), new WorkloadView(true, 3, 3, "rev-1", true))).status();
        var row = status.members.stream().filter(m -> "ec-2".equals(m.name)).findFirst().orElseThrow();
        assertThat(row.role).isEqualTo("unknown");
        assertThat(row.reachable).isNull();
        assertThat(row.message).isEqualTo("not contacted yet");
        assertThat(find(status.conditions, StatusConditions.READY).getMessage()).contains("2/3 voters healthy");
    }

    @Test
    void aMemberWhoseFirstContactFailedIsReportedAsNotAnsweredYet() {
        var status = run(new ClusterDeciderTest.Case(snapshot(7, spec(3), null, readyPods(3), observations("LFT"),
                NOW.minusSeconds(3), healthyRunning()), new WorkloadView(true, 3, 3, "rev-1", true))).status();
        var row = status.members.stream().filter(m -> "ec-2".equals(m.name)).findFirst().orElseThrow();
        assertThat(row.reachable).isNull();
        assertThat(row.message).isEqualTo("not answered yet: HttpTimeoutException: request timed out");
    }

    @Test
    void aSilentMemberWhosePodIsNotReadyIsDownNotUnknown() {
        Map<String, PodView> pods = readyPods(3);
        pods.put("ec-1", new PodView("ec-1", "rev-1", false, false, List.of()));
        pods.put("ec-2", new PodView("ec-2", "rev-1", true, true, List.of()));
        var c = run(new ClusterDeciderTest.Case(snapshot(7, spec(3), null, pods, observations("L??"), NOW,
                healthyRunning()), new WorkloadView(true, 1, 3, "rev-1", true))).status().conditions;
        assertThat(find(c, StatusConditions.DEGRADED).getReason()).isEqualTo("QuorumLost");
    }

    @Test
    void aRolloutTakenOverBeforeAnyMemberAnsweredRestartsNobody() {
        // Every pod runs the old revision and none has answered the new operator yet: before, each looked "down"
        // (unhealthy and not answering) and so free to restart first.
        Map<String, PodView> pods = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            pods.put("ec-" + i, new PodView("ec-" + i, "rev-1", true, false, List.of()));
        }
        ClusterDeciderTest.Case c = new ClusterDeciderTest.Case(snapshot(8, spec(3), null, pods, observations("???"),
                null, healthyRunning()), new WorkloadView(true, 3, 0, "rev-2", true));
        ClusterDecision d = ClusterDecider.decide(c.o(), ClusterDecider.intend(c.o()), c.workload());
        assertThat(d.rollout()).isEqualTo(Step.NONE);
        assertThat(d.status().rollout.blockedBy).contains("would lose quorum");
        assertThat(find(d.status().conditions, StatusConditions.DEGRADED).getReason()).isEqualTo("QuorumHealthy");
    }

    private static ElectionClusterStatus healthyRunning() {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.leader = "ec-0";
        s.term = 5L;
        s.leaderChanges = 1L;
        s.phase = "Running";
        s.conditions = List.of(
                new Condition(PREV_AVAILABLE_AT, "3/3 voters healthy, leader ec-0 in term 5", 6L, "QuorumHealthy",
                        "True", StatusConditions.READY),
                new Condition(PREV_AVAILABLE_AT, "3/3 voters healthy, leader ec-0 in term 5 (2 required)", 6L,
                        "QuorumAvailable", "True", StatusConditions.AVAILABLE),
                new Condition(PREV_AVAILABLE_AT, "3/3 voters healthy, leader ec-0 in term 5", 6L, "QuorumHealthy",
                        "False", StatusConditions.DEGRADED));
        return s;
    }

    /** Ready pods ec-0..ec-(n-1) of revision rev-1. */
    static Map<String, PodView> readyPods(int n) {
        Map<String, PodView> pods = new HashMap<>();
        for (int i = 0; i < n; i++) {
            pods.put("ec-" + i, new PodView("ec-" + i, "rev-1", true, false, List.of()));
        }
        return pods;
    }

    private static Map<String, MemberObservation> observations(String roles) {
        Map<String, MemberObservation> members = new HashMap<>();
        for (int i = 0; i < roles.length(); i++) {
            String name = "ec-" + i;
            char r = roles.charAt(i);
            if (r == '?') {
                continue;
            }
            if (r == 'X') {
                members.put(name, MemberObservation.unreachable(name, "ConnectException: Connection refused"));
                continue;
            }
            if (r == 'T') {
                members.put(name, MemberObservation.notAnsweredYet(name, "HttpTimeoutException: request timed out"));
                continue;
            }
            members.put(name, MemberObservation.reachable(name, new ReportedStatus("ec", name, "raft",
                    r == 'L' ? "leader" : "follower", 5L, "ec-0", null, null, 10L, 10L, 10L, null, "0.1.0",
                    List.of())));
        }
        return members;
    }

    private static Condition find(List<Condition> conditions, String type) {
        return StatusConditions.find(conditions, type);
    }
}
