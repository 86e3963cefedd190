package dev.ballot.operator.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.StatusConditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeStatusTest {
    private static final Instant NOW = Instant.parse("2026-11-27T16:00:00Z");

    private static final VolumeGrowth GROWING = new VolumeGrowth("2Gi", List.of(
            new ClaimStep("data-ec-0", ClaimStep.Kind.PATCH, "grow"),
            new ClaimStep("data-ec-1", ClaimStep.Kind.WAIT, "data-ec-1 is being resized by its provisioner")), false);
    private static final VolumeGrowth BLOCKED = new VolumeGrowth("2Gi", List.of(
            new ClaimStep("data-ec-0", ClaimStep.Kind.BLOCKED,
                    "StorageClass fixed does not allow volume expansion: set allowVolumeExpansion: true")), true);

    @Test
    void growingVolumesAreReconcilingAndNotReady() {
        ElectionClusterStatus s = converged();
        Optional<EventToPublish> d = VolumeStatus.apply(s, GROWING, s.conditions, NOW);
        assertThat(d).isEmpty();
        assertThat(condition(s, StatusConditions.RECONCILING)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("ResizingVolumes");
            assertThat(c.getMessage()).isEqualTo("spec.storage.size 2Gi: growing data-ec-0 to 2Gi; "
                    + "data-ec-1 is being resized by its provisioner");
            assertThat(c.getLastTransitionTime()).isEqualTo(NOW.toString());
        });
        assertThat(condition(s, StatusConditions.READY).getReason()).isEqualTo("ResizingVolumes");
        assertThat(condition(s, StatusConditions.READY).getStatus()).isEqualTo("False");
        assertThat(StatusConditions.isTrue(s.conditions, StatusConditions.STALLED)).isFalse();
        assertThat(StatusConditions.isTrue(s.conditions, StatusConditions.AVAILABLE)).isTrue();
        assertThat(s.phase).isEqualTo("Updating");
    }

    @Test
    void aBlockedResizeIsStalledWithTheFieldAndTheFixAndWarnsOnce() {
        ElectionClusterStatus s = converged();
        List<Condition> before = s.conditions;
        Optional<EventToPublish> first = VolumeStatus.apply(s, BLOCKED, before, NOW);
        assertThat(first).hasValueSatisfying(d -> {
            assertThat(d.warning()).isTrue();
            assertThat(d.reason()).isEqualTo("VolumeResizeBlocked");
            assertThat(d.message()).isEqualTo("spec.storage.size 2Gi needs data-ec-0 to grow, but StorageClass fixed "
                    + "does not allow volume expansion: set allowVolumeExpansion: true");
        });
        Condition stalled = condition(s, StatusConditions.STALLED);
        assertThat(stalled.getStatus()).isEqualTo("True");
        assertThat(stalled.getReason()).isEqualTo("VolumeResizeBlocked");
        assertThat(condition(s, StatusConditions.RECONCILING).getStatus()).isEqualTo("False");
        assertThat(condition(s, StatusConditions.READY).getStatus()).isEqualTo("False");
        assertThat(s.phase).isEqualTo("Stalled");

        ElectionClusterStatus again = converged();
        assertThat(VolumeStatus.apply(again, BLOCKED, s.conditions, NOW.plusSeconds(30))).as("no repeat").isEmpty();
        assertThat(condition(again, StatusConditions.STALLED).getLastTransitionTime()).isEqualTo(NOW.toString());
    }

    @Test
    void leavesPausedStalledAndConvergedClustersAlone() {
        ElectionClusterStatus paused = converged();
        paused.conditions = replace(paused.conditions, StatusConditions.condition(StatusConditions.RECONCILING, false,
                1, "Paused", "spec.paused is true"));
        List<Condition> pausedBefore = paused.conditions;
        assertThat(VolumeStatus.apply(paused, BLOCKED, null, NOW)).isEmpty();
        assertThat(paused.conditions).isSameAs(pausedBefore);

        ElectionClusterStatus stalled = converged();
        stalled.conditions = replace(stalled.conditions, StatusConditions.condition(StatusConditions.STALLED, true, 1,
                "PodFailing", "pod ec-0 cannot start"));
        VolumeStatus.apply(stalled, BLOCKED, null, NOW);
        assertThat(condition(stalled, StatusConditions.STALLED).getReason()).isEqualTo("PodFailing");

        ElectionClusterStatus done = converged();
        List<Condition> doneBefore = done.conditions;
        assertThat(VolumeStatus.apply(done, VolumeGrowth.none("2Gi"), null, NOW)).isEmpty();
        assertThat(done.conditions).isSameAs(doneBefore);
        assertThat(done.phase).isEqualTo("Running");
    }

    private static ElectionClusterStatus converged() {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.phase = "Running";
        s.conditions = StatusConditions.withTransitionTimes(null, List.of(
                StatusConditions.condition(StatusConditions.READY, true, 1, "QuorumHealthy", "3/3"),
                StatusConditions.condition(StatusConditions.AVAILABLE, true, 1, "QuorumAvailable", "3/3"),
                StatusConditions.condition(StatusConditions.RECONCILING, false, 1, "Converged", "matches"),
                StatusConditions.condition(StatusConditions.STALLED, false, 1, "Progressing", "no human action"),
                StatusConditions.condition(StatusConditions.DEGRADED, false, 1, "QuorumHealthy", "3/3")),
                NOW.minusSeconds(600));
        return s;
    }

    private static List<Condition> replace(List<Condition> conditions, Condition c) {
        return conditions.stream().map(x -> x.getType().equals(c.getType()) ? c : x).toList();
    }

    private static Condition condition(ElectionClusterStatus s, String type) {
        Condition c = StatusConditions.find(s.conditions, type);
        assertThat(c).as(type).isNotNull();
        return c;
    }
}
