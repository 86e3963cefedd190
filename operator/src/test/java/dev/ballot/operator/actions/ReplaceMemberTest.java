package dev.ballot.operator.actions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** replace-member's gate and its walk through the operator's replacement, decided by the pure planner. */
class ReplaceMemberTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static ClusterFixture healthy() {
        return ClusterFixture.healthy();
    }

    private static ActionRequest replace(String target) {
        return new ActionRequest(ActionKind.REPLACE_MEMBER, target, "r1");
    }

    static Stream<Arguments> gates() {
        return Stream.of(
                // target, cluster, phase, reason, step
                Arguments.of("ec-1", healthy(), "Running", "DeletingStorage",
                        ActionStep.deleteClaimAndPod("ec-1", "uid-1")),
                Arguments.of("ec-0", healthy().member("ec-1", m -> m.lag = 7L), "Running", "TransferringLeadership",
                        ActionStep.transfer("ec-0", "ec-2")),
                Arguments.of("ec-2", healthy().member("ec-2", m -> m.ready = false), "Running", "DeletingStorage",
                        ActionStep.deleteClaimAndPod("ec-2", "uid-2")),
                Arguments.of("ec-1", healthy().member("ec-2", m -> m.ready = false), "Refused", "QuorumAtRisk", null),
                Arguments.of("ec-1", healthy().member("ec-2", m -> m.lag = 5000L), "Refused", "QuorumAtRisk", null),
                Arguments.of("ec-1", healthy().pod("ec-0", null), "Refused", "QuorumAtRisk", null),
                Arguments.of("ec-0", new ClusterFixture(1, 0), "Refused", "OnlyVoter", null),
                Arguments.of("ec-9", healthy(), "Refused", "UnknownMember", null),
                Arguments.of("", healthy(), "Refused", "InvalidRequest", null),
                Arguments.of("ec-1", healthy().pod("ec-1", null), "Refused", "PodNotRunning", null),
                Arguments.of("ec-3", new ClusterFixture(3, 1), "Refused", "NotAVoter", null),
                Arguments.of("ec-1", healthy().notBootstrapped(), "Refused", "NotBootstrapped", null),
                Arguments.of("ec-1", healthy().replacing("ec-2", "promote ec-2 to voter"), "Refused",
                        "ReplacementInProgress", null),
                Arguments.of("ec-1", healthy().member("ec-1", m -> m.needsReplacement = true), "Refused",
                        "ReplacementInProgress", null),
                Arguments.of("ec-1", healthy().blocked("RolloutInProgress", false), "Refused", "RolloutInProgress", null),
                Arguments.of("ec-1", healthy().blocked("Paused", true), "Refused", "Paused", null));
    }

    @ParameterizedTest(name = "replace {0} -> {2} {3}")
    @MethodSource("gates")
    void aRequestIsGated(String target, ClusterFixture cluster, String phase, String reason, ActionStep step) {
        ActionPlanner.Plan plan = ActionPlanner.plan(List.of(replace(target)), null, cluster.view(), NOW);
        ActionStatus a = only(plan);
        assertThat(a.phase).as(a.message).isEqualTo(phase);
        assertThat(a.reason).isEqualTo(reason);
        assertThat(plan.step()).isEqualTo(step);
        assertThat(plan.events()).extracting(EventToPublish::reason)
                .containsExactly(phase.equals("Refused") ? "ActionRefused" : "ActionStarted");
        if (phase.equals("Refused")) {
            assertThat(a.targetPodUid).as("nothing recorded for a refusal").isNull();
        }
    }

    @Test
    void aReplacementWalksThroughTheOperatorsReplacementAndIsDoneOnlyAfterIt() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(replace("ec-1")), null, healthy().view(), NOW);
        assertThat(only(start).targetPodUid).isEqualTo("uid-1");

        // The delete did not show yet: asked again (the executor deletes a uid once).
        ActionPlanner.Plan again = step(start, healthy(), 1);
        assertThat(again.step()).isEqualTo(ActionStep.deleteClaimAndPod("ec-1", "uid-1"));

        ClusterFixture terminating = healthy().pod("ec-1", new PodView("ec-1", "rev-1", false, true, List.of(), "uid-1"));
        ActionPlanner.Plan going = step(again, terminating, 2);
        assertThat(going.step()).isNull();
        assertThat(only(going).reason).isEqualTo("DeletingStorage");

        // A new pod that is ready and still shows the old member's report must not count as replaced.
        ClusterFixture stale = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-8"));
        ActionPlanner.Plan notYet = step(going, stale, 3);
        assertThat(only(notYet).phase).isEqualTo("Running");
        assertThat(only(notYet).reason).isEqualTo("Restarting");

        ClusterFixture empty = healthy().pod("ec-1", new PodView("ec-1", "rev-1", false, false, List.of(), "uid-8"))
                .member("ec-1", m -> {
                    m.ready = false;
                    m.needsReplacement = true;
                }).replacing("ec-1", "remove ec-1 (lost its storage) from the configuration");
        ActionPlanner.Plan replacing = step(notYet, empty, 4);
        assertThat(only(replacing).reason).isEqualTo(ReplaceMember.REPLACING);
        assertThat(only(replacing).message).isEqualTo("the operator replaces ec-1: next remove ec-1 (lost its storage)"
                + " from the configuration");

        ClusterFixture learner = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-9"))
                .member("ec-1", m -> m.voter = false).replacing("ec-1", "promote ec-1 to voter");
        ActionPlanner.Plan catchingUp = step(replacing, learner, 5);
        assertThat(only(catchingUp).phase).isEqualTo("Running");

        // The replacement is over but the member is not caught up yet.
        ClusterFixture behind = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-9"))
                .member("ec-1", m -> m.lag = 400L);
        ActionPlanner.Plan promoted = step(catchingUp, behind, 6);
        assertThat(only(promoted).phase).isEqualTo("Running");

        ClusterFixture back = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-9"));
        ActionPlanner.Plan done = step(promoted, back, 7);
        assertThat(only(done).phase).isEqualTo("Done");
        assertThat(only(done).reason).isEqualTo("Replaced");
        assertThat(done.events()).extracting(EventToPublish::reason).containsExactly("ActionDone");
    }

    @Test
    void aLeaderLosesItsStorageOnlyOnceLeadershipMovedOff() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(replace("ec-0")), null, healthy().view(), NOW);
        assertThat(start.step()).isEqualTo(ActionStep.transfer("ec-0", "ec-1"));
        ActionPlanner.Plan moved = step(start, healthy().leader("ec-1"), 1);
        assertThat(moved.step()).isEqualTo(ActionStep.deleteClaimAndPod("ec-0", "uid-0"));
    }

    @Test
    void aReplacementThatNeverHappensFailsAtItsDeadline() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(replace("ec-1")), null, healthy().view(), NOW);
        ClusterFixture reborn = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-8"));
        ActionPlanner.Plan late = step(start, reborn, 601);
        assertThat(only(late).phase).isEqualTo("Failed");
        assertThat(only(late).reason).isEqualTo("Timeout");
    }

    private static ActionPlanner.Plan step(ActionPlanner.Plan previous, ClusterFixture cluster, int seconds) {
        return ActionPlanner.plan(List.of(replace(only(previous).target)), previous.actions(),
                cluster.view(), NOW.plusSeconds(seconds));
    }

    private static ActionStatus only(ActionPlanner.Plan plan) {
        assertThat(plan.actions()).hasSize(1);
        return plan.actions().get(0);
    }
}
