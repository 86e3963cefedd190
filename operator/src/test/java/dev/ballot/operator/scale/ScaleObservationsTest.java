package dev.ballot.operator.scale;

import dev.ballot.operator.step.Step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.members.ReportedStatus.ReportedMember;
import dev.ballot.operator.desired.EffectiveSpec;
import dev.ballot.operator.status.PodView;
import dev.ballot.operator.status.StatusConditions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScaleObservationsTest {
    private static ReportedStatus status(String self, String role, long term, String leader,
                                        List<ReportedMember> members) {
        return new ReportedStatus("c", self, "raft", role, term, leader, null, null, 10L, 10L, 12L, 5L, "0.1.0",
                members);
    }

    private static final List<ReportedMember> CONFIG = List.of(
            new ReportedMember("ec-0", "a:2380", "voter", 12L, 0L, true),
            new ReportedMember("ec-1", "b:2380", "voter", 9L, 5L, false),
            new ReportedMember("ec-2", "c:2380", "learner", null, null, false));

    @Test
    void theLeaderIsTheOneThatLeadsInTheHighestTermWithItsProgress() {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = ConsensusProtocol.Raft;
        spec.replicas = 3;
        Map<String, MemberObservation> members = Map.of(
                "ec-0", MemberObservation.reachable("ec-0", status("ec-0", "leader", 3, "ec-0", CONFIG)),
                "ec-1", MemberObservation.reachable("ec-1", status("ec-1", "leader", 2, "ec-1", List.of())),
                "ec-2", MemberObservation.unreachable("ec-2", "refused"));
        ScaleObservation o = ScaleObservations.of("ec", EffectiveSpec.of(spec), 3, "2", "rev-2",
                Map.of("ec-0", new PodView("ec-0", "rev-2", true, false),
                        "ec-1", new PodView("ec-1", "rev-1", true, false),
                        "ec-2", new PodView("ec-2", "rev-1", false, true)),
                members);
        assertThat(o.leader().name()).isEqualTo("ec-0");
        assertThat(o.leader().lastIndex()).isEqualTo(12);
        assertThat(o.leader().members()).extracting(ScaleObservation.ConfiguredMember::matchIndex)
                .containsExactly(12L, 9L, null);
        assertThat(o.recordedVoters()).isEqualTo(2);
        assertThat(o.rolloutPending()).as("ec-1 runs rev-1; the terminating ec-2 does not count").isTrue();
        assertThat(o.pods().get("ec-2").present()).isFalse();
        assertThat(o.reports()).containsOnlyKeys("ec-0", "ec-1");
        assertThat(o.reports().get("ec-0").configuration()).containsExactlyInAnyOrder("ec-0/voter", "ec-1/voter",
                "ec-2/learner");
    }

    @Test
    void scalingShowsInReadyAndReconcilingUnlessStalledOrPaused() {
        ElectionClusterStatus status = new ElectionClusterStatus();
        status.phase = "Running";
        status.conditions = List.of(
                StatusConditions.condition(StatusConditions.READY, true, 2, "QuorumHealthy", "ok"),
                StatusConditions.condition(StatusConditions.RECONCILING, false, 2, "Converged", "done"),
                StatusConditions.condition(StatusConditions.STALLED, false, 2, "Progressing", "fine"));
        Step step = new Step(Step.Kind.WAIT, null, "promote ec-3 to voter", "ec-3 is catching up");
        assertThat(ScaleStatus.apply(status, step, null, Instant.parse("2026-11-27T12:00:00Z"))).isEmpty();
        assertThat(StatusConditions.find(status.conditions, StatusConditions.READY).getReason()).isEqualTo("Scaling");
        assertThat(StatusConditions.isTrue(status.conditions, StatusConditions.READY)).isFalse();
        assertThat(StatusConditions.find(status.conditions, StatusConditions.RECONCILING).getMessage())
                .isEqualTo("scaling: next promote ec-3 to voter (ec-3 is catching up)");
        assertThat(status.rollout.step).isEqualTo("promote ec-3 to voter");
        assertThat(status.phase).isEqualTo("Updating");

        ElectionClusterStatus stalled = new ElectionClusterStatus();
        stalled.conditions = List.of(StatusConditions.condition(StatusConditions.STALLED, true, 2, "PodFailing", "x"),
                StatusConditions.condition(StatusConditions.READY, false, 2, "PodsStarting", "y"));
        ScaleStatus.apply(stalled, step, null, Instant.now());
        assertThat(StatusConditions.find(stalled.conditions, StatusConditions.READY).getReason())
                .isEqualTo("PodsStarting");
    }

    @Test
    void scalingThatNeedsAHumanIsStalledAndWarnsOnce() {
        Step blocked = new Step(Step.Kind.BLOCKED, null, "scale to 5 voters",
                "scaling a cluster with spec.learners is not supported yet");
        ElectionClusterStatus first = statusWithConditions();
        assertThat(ScaleStatus.apply(first, blocked, null, Instant.now())).hasValueSatisfying(d -> {
            assertThat(d.warning()).isTrue();
            assertThat(d.reason()).isEqualTo("ScalingBlocked");
        });
        assertThat(StatusConditions.isTrue(first.conditions, StatusConditions.STALLED)).isTrue();
        assertThat(StatusConditions.isTrue(first.conditions, StatusConditions.RECONCILING)).isFalse();
        assertThat(first.phase).isEqualTo("Stalled");
        ElectionClusterStatus again = statusWithConditions();
        assertThat(ScaleStatus.apply(again, blocked, first.conditions, Instant.now())).as("once").isEmpty();
    }

    private static ElectionClusterStatus statusWithConditions() {
        ElectionClusterStatus status = new ElectionClusterStatus();
        status.phase = "Running";
        status.conditions = List.of(
                StatusConditions.condition(StatusConditions.READY, true, 2, "QuorumHealthy", "ok"),
                StatusConditions.condition(StatusConditions.RECONCILING, false, 2, "Converged", "done"),
                StatusConditions.condition(StatusConditions.STALLED, false, 2, "Progressing", "fine"));
        return status;
    }
}
