package dev.ballot.operator.actions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ActionStatus;
import dev.ballot.operator.api.MemberStatus;
import dev.ballot.operator.status.EventToPublish;
import dev.ballot.operator.status.PodView;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** recover-quorum-from's gate and its walk (wipe the others, rebuild from the kept member, done once it leads). */
class RecoverQuorumTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    /**
     * A 3-voter cluster that lost its quorum: no leader, ec-0 answers with its data (not ready: no leader to follow),
     * ec-1 and ec-2 came back empty and need replacing (their pods not ready).
     */
    private static ClusterFixture lost() {
        ClusterFixture c = healthy().leader(null);
        for (MemberStatus m : c.members) {
            int ordinal = Integer.parseInt(m.name.substring(3));
            m.ready = false;
            m.needsReplacement = ordinal > 0;
            c.pod(m.name, new PodView(m.name, "rev-1", ordinal == 0, false, List.of(), "uid-" + ordinal));
        }
        return c;
    }

    /** Every member healthy under ec-0, each answering. */
    private static ClusterFixture healthy() {
        ClusterFixture c = ClusterFixture.healthy();
        c.members.forEach(m -> {
            m.reachable = true;
            m.needsReplacement = false;
        });
        return c;
    }

    private static ActionRequest recover(String target) {
        return new ActionRequest(ActionKind.RECOVER_QUORUM, target, "r1");
    }

    static Stream<Arguments> gates() {
        return Stream.of(
                // target, cluster, phase, reason, step
                Arguments.of("ec-0", lost(), "Running", "Rebuilding", ActionStep.forceNewCluster("ec-0", "r1", "uid-0")),
                Arguments.of("ec-0", lost().blocked("RolloutInProgress", false), "Running", "Rebuilding",
                        ActionStep.forceNewCluster("ec-0", "r1", "uid-0")),
                // ec-2 still runs with the old configuration's data (or does not answer): wiped first.
                Arguments.of("ec-0", lost().member("ec-2", m -> m.needsReplacement = false), "Running",
                        "WipingMembers", ActionStep.deleteClaimAndPod("ec-2", "uid-2")),
                Arguments.of("ec-0", lost().member("ec-2", m -> {
                    m.needsReplacement = null;
                    m.reachable = false;
                }), "Running", "WipingMembers", ActionStep.deleteClaimAndPod("ec-2", "uid-2")),
                // A learner/observer with data is never wiped: it cannot vote, and would come back empty for ever.
                Arguments.of("ec-0", lost().member("ec-2", m -> {
                    m.needsReplacement = false;
                    m.voter = false;
                }), "Running", "Rebuilding", ActionStep.forceNewCluster("ec-0", "r1", "uid-0")),
                Arguments.of("ec-0", healthy(), "Refused", "QuorumAvailable", null),
                Arguments.of("ec-0", healthy().leader(null), "Refused", "QuorumAvailable", null),
                Arguments.of("ec-9", lost(), "Refused", "UnknownMember", null),
                Arguments.of("", lost(), "Refused", "InvalidRequest", null),
                Arguments.of("ec-1", lost(), "Refused", "MemberLostItsData", null),
                Arguments.of("ec-0", lost().member("ec-0", m -> m.reachable = false), "Refused", "MemberUnreachable",
                        null),
                Arguments.of("ec-0", lost().blocked("Paused", false), "Refused", "Paused", null));
    }

    @ParameterizedTest(name = "recover from {0} -> {2} {3}")
    @MethodSource("gates")
    void aRequestIsGated(String target, ClusterFixture cluster, String phase, String reason, ActionStep step) {
        ActionPlanner.Plan plan = ActionPlanner.plan(List.of(recover(target)), null, cluster.view(), NOW);
        ActionStatus a = only(plan);
        assertThat(a.phase).as(a.message).isEqualTo(phase);
        assertThat(a.reason).isEqualTo(reason);
        assertThat(plan.step()).isEqualTo(step);
        assertThat(plan.events()).extracting(EventToPublish::reason)
                .containsExactly(phase.equals("Refused") ? "ActionRefused" : "ActionStarted");
    }

    @Test
    void aRecoveryRebuildsFromTheKeptMemberAndIsDoneOnceItLeads() {
        ClusterFixture c = lost().member("ec-2", m -> m.needsReplacement = false);
        ActionPlanner.Plan p = ActionPlanner.plan(List.of(recover("ec-0")), null, c.view(), NOW);
        assertThat(p.step()).isEqualTo(ActionStep.deleteClaimAndPod("ec-2", "uid-2"));

        // ec-2's new pod is starting: it does not answer yet, and is never wiped again.
        c.pod("ec-2", new PodView("ec-2", "rev-1", false, false, List.of(), "uid-2b"))
                .member("ec-2", m -> m.reachable = false);
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), c.view(), NOW.plusSeconds(2));
        assertThat(only(p).reason).isEqualTo("WipingMembers");
        assertThat(p.step()).isNull();

        // Back empty, it refuses to vote: the kept member is asked to rebuild and restarted.
        c.member("ec-2", m -> {
            m.reachable = true;
            m.needsReplacement = true;
        });
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), c.view(), NOW.plusSeconds(4));
        assertThat(p.step()).isEqualTo(ActionStep.forceNewCluster("ec-0", "r1", "uid-0"));

        c.pod("ec-0", new PodView("ec-0", "rev-1", false, false, List.of(), "uid-0b"));
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), c.view(), NOW.plusSeconds(6));
        assertThat(only(p).phase).isEqualTo("Running");
        assertThat(p.step()).as("the new pod is never deleted").isNull();

        c.leader("ec-0");
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), c.view(), NOW.plusSeconds(8));
        assertThat(only(p).phase).isEqualTo("Done");
        assertThat(only(p).message).contains("may be lost");
        // Applying the annotation again asks for nothing new.
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), c.view(), NOW.plusSeconds(10));
        assertThat(only(p).phase).isEqualTo("Done");
        assertThat(p.step()).isNull();
    }

    @Test
    void aRecoveryThatNeverLeadsFailsAtItsDeadline() {
        ActionPlanner.Plan p = ActionPlanner.plan(List.of(recover("ec-0")), null, lost().view(), NOW);
        p = ActionPlanner.plan(List.of(recover("ec-0")), p.actions(), lost().view(), NOW.plusSeconds(601));
        assertThat(only(p).phase).isEqualTo("Failed");
        assertThat(only(p).reason).isEqualTo("Timeout");
    }

    private static ActionStatus only(ActionPlanner.Plan plan) {
        assertThat(plan.actions()).hasSize(1);
        return plan.actions().get(0);
    }
}
