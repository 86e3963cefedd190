package dev.ballot.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.RolloutStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.StatusConditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProgressDeadlineTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration DEADLINE = Duration.ofSeconds(600);

    /** previous step and since, the step now, seconds after T0; expected since, Stalled, Warning. */
    static Stream<Arguments> table() {
        return Stream.of(
                row("a new step starts counting now", null, null, "restart ec-2", 10, 10, false, false),
                row("the same step keeps its start", "restart ec-2", T0, "restart ec-2", 300, 0, false, false),
                row("at the deadline: not yet", "restart ec-2", T0, "restart ec-2", 600, 0, false, false),
                row("past the deadline: Stalled and one Warning", "restart ec-2", T0, "restart ec-2", 601, 0, true,
                        true),
                row("still stuck: Stalled, no second Warning", "restart ec-2", T0, "restart ec-2", 900, 0, true,
                        false),
                row("the step moved: clears, counts afresh", "restart ec-2", T0, "restart ec-1", 900, 900, false,
                        false),
                row("no step: nothing", "restart ec-2", T0, "", 900, -1, false, false),
                row("an unreadable since counts from now", "restart ec-2", null, "restart ec-2", 900, 900, false,
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void stallsAStepThatOutlivesTheDeadline(String name, String prevStep, Instant prevSince, String step, int after,
                                            int expectedSince, boolean stalled, boolean warning) {
        Instant now = T0.plusSeconds(after);
        ElectionClusterStatus previous = status(prevStep, prevSince, now.minusSeconds(1));
        if (after == 900 && prevSince != null && step.equals(prevStep)) {
            // the previous reconcile already stalled it
            ProgressDeadline.apply(previous, status(prevStep, prevSince, now), DEADLINE, now.minusSeconds(1));
        }
        ElectionClusterStatus status = status(step, null, now);
        status.rollout.blockedBy = "waiting for ec-2 to be ready";
        Optional<EventToPublish> event = ProgressDeadline.apply(status, previous, DEADLINE, now);

        assertThat(status.rollout.since).isEqualTo(expectedSince < 0 ? null : T0.plusSeconds(expectedSince).toString());
        assertThat(StatusConditions.isTrue(status.conditions, StatusConditions.STALLED)).isEqualTo(stalled);
        assertThat(event.isPresent()).isEqualTo(warning);
        if (stalled) {
            assertThat(StatusConditions.reasonOf(status.conditions, StatusConditions.STALLED))
                    .isEqualTo(ProgressDeadline.REASON);
            assertThat(StatusConditions.messageOf(status.conditions, StatusConditions.STALLED))
                    .contains("'restart ec-2'").contains("spec.progressDeadlineSeconds (600 s)");
            assertThat(StatusConditions.messageOf(status.conditions, StatusConditions.RECONCILING))
                    .contains("waiting for ec-2 to be ready");
            assertThat(StatusConditions.isTrue(status.conditions, StatusConditions.READY)).isFalse();
        }
    }

    private static ElectionClusterStatus status(String step, Instant since, Instant now) {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.rollout = new RolloutStatus(step, "");
        s.rollout.since = since == null ? (step != null && step.equals("restart ec-2") ? "garbage" : null)
                : since.toString();
        List<io.fabric8.kubernetes.api.model.Condition> c = new ArrayList<>();
        for (String type : StatusConditions.TYPES) {
            c.add(StatusConditions.condition(type, StatusConditions.RECONCILING.equals(type), 1, "RollingUpdate", "x"));
        }
        s.conditions = StatusConditions.withTransitionTimes(null, c, now);
        return s;
    }

    private static Arguments row(String name, String prevStep, Instant prevSince, String step, int after, int since,
                                 boolean stalled, boolean warning) {
        return Arguments.of(name, prevStep, prevSince, step, after, since, stalled, warning);
    }
}
