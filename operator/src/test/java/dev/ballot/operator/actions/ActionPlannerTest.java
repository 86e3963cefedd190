package dev.ballot.operator.actions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The one-off actions' decisions: every gate, each phase transition, idempotency and one action at a time. */
class ActionPlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    private static ClusterFixture healthy() {
        return ClusterFixture.healthy();
    }

    private static ActionRequest transfer(String target) {
        return new ActionRequest(ActionKind.TRANSFER_LEADERSHIP, target, "r1");
    }

    private static ActionRequest restart(String target) {
        return new ActionRequest(ActionKind.RESTART_MEMBER, target, "r1");
    }

    static Stream<Arguments> newRequests() {
        return Stream.of(
                // request, cluster, phase, reason, step
                Arguments.of(transfer("ec-2"), healthy(), "Running", "Transferring",
                        ActionStep.transfer("ec-0", "ec-2")),
                Arguments.of(transfer("any"), healthy().member("ec-1", m -> m.lag = 5L), "Running", "Transferring",
                        ActionStep.transfer("ec-0", "ec-2")),
                Arguments.of(transfer("ec-0"), healthy(), "Done", "AlreadyLeader", null),
                Arguments.of(transfer("ec-9"), healthy(), "Refused", "UnknownMember", null),
                Arguments.of(transfer(""), healthy(), "Refused", "InvalidRequest", null),
                Arguments.of(transfer("ec-3"), new ClusterFixture(3, 1), "Refused", "NotAVoter", null),
                Arguments.of(transfer("ec-1"), healthy().member("ec-1", m -> m.lag = 101L), "Refused", "NotCaughtUp",
                        null),
                Arguments.of(transfer("ec-1"), healthy().member("ec-1", m -> m.lag = null), "Refused", "NotCaughtUp",
                        null),
                Arguments.of(transfer("ec-1"), healthy().member("ec-1", m -> m.ready = false), "Refused",
                        "NotHealthy", null),
                Arguments.of(transfer("ec-1"), healthy().pod("ec-1", new PodView("ec-1", "rev-1", false, false,
                        List.of(), "uid-1")), "Refused", "NotHealthy", null),
                Arguments.of(transfer("any"), healthy().member("ec-1", m -> m.ready = false)
                        .member("ec-2", m -> m.lag = 500L), "Refused", "NoCaughtUpVoter", null),
                Arguments.of(transfer("ec-1"), healthy().leader(null), "Refused", "NoLeader", null),
                Arguments.of(transfer("ec-1"), healthy().blocked("Paused", true), "Refused", "Paused", null),
                Arguments.of(restart("ec-1"), healthy(), "Running", "Restarting", ActionStep.deletePod("ec-1", "uid-1")),
                Arguments.of(restart("ec-0"), healthy().member("ec-1", m -> m.lag = 3L), "Running",
                        "TransferringLeadership", ActionStep.transfer("ec-0", "ec-2")),
                Arguments.of(restart("ec-3"), new ClusterFixture(3, 1).member("ec-1", m -> m.ready = false), "Running",
                        "Restarting", ActionStep.deletePod("ec-3", "uid-3")),
                Arguments.of(restart("ec-1"), healthy().member("ec-2", m -> m.ready = false), "Refused",
                        "QuorumAtRisk", null),
                Arguments.of(restart("ec-1"), healthy().member("ec-2", m -> m.lag = 1000L), "Refused",
                        "QuorumAtRisk", null),
                Arguments.of(restart("ec-1"), healthy().pod("ec-2", null), "Refused", "QuorumAtRisk", null),
                Arguments.of(restart("ec-2"), healthy().member("ec-2", m -> m.ready = false), "Running",
                        "Restarting", ActionStep.deletePod("ec-2", "uid-2")),
                Arguments.of(restart("ec-0"), new ClusterFixture(1, 0), "Refused", "OnlyVoter", null),
                Arguments.of(restart("ec-1"), healthy().pod("ec-1", null), "Refused", "PodNotRunning", null),
                Arguments.of(restart("ec-1"), healthy().pod("ec-1", new PodView("ec-1", "rev-1", false, true,
                        List.of(), "uid-1")), "Refused", "PodNotRunning", null),
                Arguments.of(restart("ec-7"), healthy(), "Refused", "UnknownMember", null),
                Arguments.of(restart("ec-1"), healthy().blocked("RolloutInProgress", false), "Refused",
                        "RolloutInProgress", null));
    }

    @ParameterizedTest(name = "{0} -> {2} {3}")
    @MethodSource("newRequests")
    void aNewRequestIsGatedOnce(ActionRequest request, ClusterFixture cluster, String phase, String reason,
                                ActionStep step) {
        ActionPlanner.Plan plan = ActionPlanner.plan(List.of(request), null, cluster.view(), NOW);
        ActionStatus a = only(plan);
        assertThat(a.phase).isEqualTo(phase);
        assertThat(a.reason).isEqualTo(reason);
        assertThat(a.requestId).isEqualTo("r1");
        assertThat(a.acceptedAt).isEqualTo(NOW.toString());
        assertThat(plan.step()).isEqualTo(step);
        assertThat(a.finishedAt).isEqualTo(phase.equals("Running") ? null : NOW.toString());
        assertThat(plan.events()).singleElement().satisfies(e -> {
            assertThat(e.warning()).isEqualTo(phase.equals("Refused"));
            assertThat(e.reason()).isEqualTo(switch (phase) {
                case "Running" -> "ActionStarted";
                case "Done" -> "ActionDone";
                default -> "ActionRefused";
            });
            assertThat(e.message()).contains(request.kind().actionName()).contains("request r1");
        });
    }

    @Test
    void anyResolvesToTheChosenMember() {
        ActionStatus a = only(ActionPlanner.plan(List.of(transfer("any")), null, healthy().view(), NOW));
        assertThat(a.target).isEqualTo("ec-1");
        assertThat(a.message).isEqualTo("asked ec-0 to hand leadership to ec-1");
    }

    @Test
    void theSameRequestIsNeverCarriedOutTwice() {
        ActionPlanner.Plan first = ActionPlanner.plan(List.of(transfer("ec-1")), null, healthy().view(), NOW);
        ActionPlanner.Plan done = ActionPlanner.plan(List.of(transfer("ec-1")), first.actions(),
                healthy().leader("ec-1").view(), NOW.plusSeconds(1));
        assertThat(only(done).phase).isEqualTo("Done");
        assertThat(only(done).reason).isEqualTo("LeadershipMoved");
        assertThat(only(done).finishedAt).isEqualTo(NOW.plusSeconds(1).toString());
        assertThat(done.events()).extracting(EventToPublish::reason).containsExactly("ActionDone");

        // Re-applied (same id) with leadership elsewhere again: nothing happens, no Event.
        ActionPlanner.Plan again = ActionPlanner.plan(List.of(transfer("ec-1")), done.actions(), healthy().view(),
                NOW.plusSeconds(60));
        assertThat(again.step()).isNull();
        assertThat(again.events()).isEmpty();
        assertThat(only(again).finishedAt).isEqualTo(NOW.plusSeconds(1).toString());

        // A new id asks again.
        ActionPlanner.Plan next = ActionPlanner.plan(List.of(new ActionRequest(ActionKind.TRANSFER_LEADERSHIP,
                "ec-1", "r2")), done.actions(), healthy().view(), NOW.plusSeconds(61));
        assertThat(next.step()).isEqualTo(ActionStep.transfer("ec-0", "ec-1"));
        assertThat(only(next).requestId).isEqualTo("r2");
    }

    @Test
    void aRefusedRequestStaysRefusedWhenItBecomesSafe() {
        ActionPlanner.Plan refused = ActionPlanner.plan(List.of(restart("ec-1")), null,
                healthy().member("ec-2", m -> m.ready = false).view(), NOW);
        assertThat(only(refused).message).isEqualTo("restarting ec-1 needs every other voter healthy and caught up:"
                + " ec-2 is not healthy (it is not ready)");
        ActionPlanner.Plan later = ActionPlanner.plan(List.of(restart("ec-1")), refused.actions(), healthy().view(),
                NOW.plusSeconds(5));
        assertThat(only(later).phase).isEqualTo("Refused");
        assertThat(later.step()).isNull();
    }

    @Test
    void aRestartDeletesTheRecordedPodThenWaitsForItsReplacement() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(restart("ec-1")), null, healthy().view(), NOW);
        assertThat(only(start).targetPodUid).isEqualTo("uid-1");
        assertThat(only(start).startedAt).isEqualTo(NOW.toString());

        // The delete did not show yet: the same call again (the executor makes it once per uid).
        ActionPlanner.Plan repeat = ActionPlanner.plan(List.of(restart("ec-1")), start.actions(), healthy().view(),
                NOW.plusSeconds(1));
        assertThat(repeat.step()).isEqualTo(ActionStep.deletePod("ec-1", "uid-1"));
        assertThat(repeat.events()).isEmpty();

        ClusterFixture terminating = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, true, List.of(), "uid-1"));
        ActionPlanner.Plan going = ActionPlanner.plan(List.of(restart("ec-1")), repeat.actions(), terminating.view(),
                NOW.plusSeconds(2));
        assertThat(going.step()).isNull();
        assertThat(only(going).message).isEqualTo("waiting for ec-1 to come back (old pod terminating)");

        ClusterFixture starting = healthy().pod("ec-1", new PodView("ec-1", "rev-1", false, false, List.of(), "uid-9"))
                .member("ec-1", m -> m.ready = false);
        ActionPlanner.Plan back = ActionPlanner.plan(List.of(restart("ec-1")), going.actions(), starting.view(),
                NOW.plusSeconds(3));
        assertThat(only(back).phase).isEqualTo("Running");
        assertThat(only(back).message).isEqualTo("waiting for ec-1 to come back (new pod not ready)");
        assertThat(back.step()).isNull();

        ClusterFixture behind = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-9"))
                .member("ec-1", m -> m.lag = 1611L);
        ActionPlanner.Plan catchingUp = ActionPlanner.plan(List.of(restart("ec-1")), back.actions(), behind.view(),
                NOW.plusSeconds(4));
        assertThat(only(catchingUp).phase).as("healthy but behind: not done yet").isEqualTo("Running");
        assertThat(only(catchingUp).message)
                .isEqualTo("waiting for ec-1 to catch up (1611 entries behind, at most 100)");

        ClusterFixture ready = healthy().pod("ec-1", new PodView("ec-1", "rev-1", true, false, List.of(), "uid-9"));
        ActionPlanner.Plan done = ActionPlanner.plan(List.of(restart("ec-1")), catchingUp.actions(), ready.view(),
                NOW.plusSeconds(5));
        assertThat(only(done).phase).isEqualTo("Done");
        assertThat(only(done).reason).isEqualTo("Restarted");
        assertThat(done.events()).extracting(EventToPublish::reason).containsExactly("ActionDone");
    }

    @Test
    void aLeaderIsRestartedOnlyOnceLeadershipMovedOff() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(restart("ec-0")), null, healthy().view(), NOW);
        assertThat(start.step()).isEqualTo(ActionStep.transfer("ec-0", "ec-1"));
        ActionPlanner.Plan stillLeads = ActionPlanner.plan(List.of(restart("ec-0")), start.actions(),
                healthy().member("ec-1", m -> m.ready = false).member("ec-2", m -> m.ready = false).view(),
                NOW.plusSeconds(1));
        assertThat(stillLeads.step()).as("no one to take over: wait, never delete the leader").isNull();
        ActionPlanner.Plan moved = ActionPlanner.plan(List.of(restart("ec-0")), stillLeads.actions(),
                healthy().leader("ec-1").view(), NOW.plusSeconds(2));
        assertThat(moved.step()).isEqualTo(ActionStep.deletePod("ec-0", "uid-0"));
    }

    @Test
    void aTransferWaitsWhileItsTargetCampaignsAndFailsOnlyAtTheDeadline() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(transfer("ec-1")), null, healthy().view(), NOW);
        // TimeoutNow made ec-1 a candidate: it knows no leader, the old leader's report still says it leads
        ClusterFixture campaigning = healthy().member("ec-1", m -> {
            m.ready = false;
            m.message = "no leader known (candidate)";
        });
        ActionPlanner.Plan waiting = ActionPlanner.plan(List.of(transfer("ec-1")), start.actions(),
                campaigning.view(), NOW.plusSeconds(1));
        assertThat(only(waiting).phase).isEqualTo("Running");
        assertThat(only(waiting).message).isEqualTo("leadership is still with ec-0; waiting while ec-1 is not"
                + " healthy (no leader known (candidate))");
        assertThat(waiting.step()).as("no second request while the first may still win").isNull();
        assertThat(waiting.events()).isEmpty();
        ActionPlanner.Plan late = ActionPlanner.plan(List.of(transfer("ec-1")), waiting.actions(),
                campaigning.view(), NOW.plusSeconds(31));
        assertThat(only(late).phase).isEqualTo("Failed");
        assertThat(late.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
    }

    @Test
    void aTransferWhoseTargetLeftTheConfigurationFails() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(transfer("ec-2")), null, healthy().view(), NOW);
        ClusterFixture two = new ClusterFixture(2, 0);
        ActionPlanner.Plan gone = ActionPlanner.plan(List.of(transfer("ec-2")), start.actions(), two.view(),
                NOW.plusSeconds(1));
        assertThat(only(gone).phase).isEqualTo("Failed");
        assertThat(only(gone).reason).isEqualTo("TargetGone");
    }

    @Test
    void aRunningActionPastItsDeadlineFails() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(transfer("ec-1")), null, healthy().view(), NOW);
        ActionPlanner.Plan late = ActionPlanner.plan(List.of(transfer("ec-1")), start.actions(), healthy().view(),
                NOW.plusSeconds(31));
        assertThat(only(late).phase).isEqualTo("Failed");
        assertThat(only(late).reason).isEqualTo("Timeout");
        assertThat(late.step()).isNull();
        assertThat(late.busy()).isFalse();
    }

    @Test
    void oneActionRunsAtATimeTheOtherWaitsAccepted() {
        ActionPlanner.Plan both = ActionPlanner.plan(List.of(transfer("ec-1"), restart("ec-2")), null,
                healthy().view(), NOW);
        assertThat(both.actions()).extracting(a -> a.name + "=" + a.phase)
                .containsExactly("transfer-leadership=Running", "restart-member=Accepted");
        assertThat(both.step()).isEqualTo(ActionStep.transfer("ec-0", "ec-1"));
        assertThat(both.running()).isEqualTo("transfer-leadership ec-1");
        assertThat(both.busy()).isTrue();

        ActionPlanner.Plan next = ActionPlanner.plan(List.of(transfer("ec-1"), restart("ec-2")), both.actions(),
                healthy().leader("ec-1").view(), NOW.plusSeconds(1));
        assertThat(next.actions()).extracting(a -> a.name + "=" + a.phase)
                .containsExactly("transfer-leadership=Done", "restart-member=Running");
        assertThat(next.step()).isEqualTo(ActionStep.deletePod("ec-2", "uid-2"));
    }

    @Test
    void anAcceptedRequestWhoseAnnotationWasRemovedIsWithdrawn() {
        ActionPlanner.Plan both = ActionPlanner.plan(List.of(transfer("ec-1"), restart("ec-2")), null,
                healthy().view(), NOW);
        ActionPlanner.Plan next = ActionPlanner.plan(List.of(transfer("ec-1")), both.actions(), healthy().view(),
                NOW.plusSeconds(1));
        assertThat(next.actions()).extracting(a -> a.name + "=" + a.phase + "/" + a.reason)
                .containsExactly("transfer-leadership=Running/Transferring", "restart-member=Refused/Withdrawn");
    }

    @Test
    void aNewerRequestOfARunningKindWaitsForIt() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(restart("ec-1")), null, healthy().view(), NOW);
        ActionPlanner.Plan next = ActionPlanner.plan(List.of(new ActionRequest(ActionKind.RESTART_MEMBER, "ec-2",
                "r2")), start.actions(), healthy().view(), NOW.plusSeconds(1));
        assertThat(only(next).requestId).isEqualTo("r1");
        assertThat(next.step()).isEqualTo(ActionStep.deletePod("ec-1", "uid-1"));
    }

    @Test
    void aPausedClusterHoldsTheRunningActionsCalls() {
        ActionPlanner.Plan start = ActionPlanner.plan(List.of(restart("ec-1")), null, healthy().view(), NOW);
        ActionPlanner.Plan paused = ActionPlanner.plan(List.of(restart("ec-1")), start.actions(),
                healthy().blocked("Paused", true).view(), NOW.plusSeconds(1));
        assertThat(only(paused).phase).isEqualTo("Running");
        assertThat(paused.step()).isNull();
    }

    @Test
    void annotationsCarryTheRequests() {
        assertThat(ActionRequest.fromAnnotations(Map.of("ballot.dev/restart-member", " ec-1 ",
                "ballot.dev/transfer-leadership", "any", "ballot.dev/transfer-leadership-id", "t-42",
                "other/annotation", "x"))).containsExactly(
                new ActionRequest(ActionKind.TRANSFER_LEADERSHIP, "any", "t-42"),
                new ActionRequest(ActionKind.RESTART_MEMBER, "ec-1", "ec-1"));
        assertThat(ActionRequest.fromAnnotations(null)).isEmpty();
    }

    @Test
    void entriesOfKindsThisOperatorDoesNotKnowAreKept() {
        ActionStatus future = new ActionStatus();
        future.name = "backup-now";
        future.phase = "Running";
        future.requestId = "b1";
        ActionPlanner.Plan plan = ActionPlanner.plan(List.of(), List.of(future), healthy().view(), NOW);
        assertThat(plan.actions()).extracting(a -> a.name + "=" + a.phase).containsExactly("backup-now=Running");
        assertThat(plan.step()).isNull();
    }

    private static ActionStatus only(ActionPlanner.Plan plan) {
        assertThat(plan.actions()).hasSize(1);
        return plan.actions().get(0);
    }
}
