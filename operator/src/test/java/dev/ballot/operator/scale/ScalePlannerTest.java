package dev.ballot.operator.scale;

import dev.ballot.operator.step.Step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.desired.MemberLayout;
import dev.ballot.operator.desired.QuorumMath;
import dev.ballot.operator.scale.ScaleObservation.ConfiguredMember;
import dev.ballot.operator.scale.ScaleObservation.LeaderReport;
import dev.ballot.operator.scale.ScaleObservation.MemberReport;
import dev.ballot.operator.scale.ScaleObservation.PodState;
import dev.ballot.operator.step.Step.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ScalePlannerTest {

    /** One row: what is observed, the step expected, its target, and the StatefulSet replicas/config voters. */
    static Stream<Arguments> table() {
        return Stream.of(
                row("new cluster: the spec's members bootstrap", ClusterFixture.raft(3, 5).noStatefulSet(),
                        Kind.NONE, null, 5, 5),
                row("steady: nothing to do", ClusterFixture.raft(3, 3), Kind.NONE, null, 3, 3),
                row("no leader, spec unchanged: nothing to do", ClusterFixture.raft(3, 3).noLeader(), Kind.NONE, null, 3, 3),
                row("no leader, scale wanted: hold everything", ClusterFixture.raft(3, 5).noLeader(), Kind.WAIT, null, 3, 3),
                // up
                row("up: create the next pod, listed as a non-voter", ClusterFixture.raft(3, 5), Kind.RESIZE, "raft-3-3", 4, 3),
                row("up: wait for the pod", ClusterFixture.raft(3, 5).sts(4), Kind.WAIT, null, 4, 3),
                row("up: add the pod as learner", ClusterFixture.raft(3, 5).sts(4).pod(3, true), Kind.ADD_MEMBER,
                        "raft-3-3", 4, 3),
                row("up: add even while its pod is not ready (it needs the leader to be ready)",
                        ClusterFixture.raft(3, 5).sts(4).pod(3, false), Kind.ADD_MEMBER, "raft-3-3", 4, 3),
                row("up: learner not following yet", ClusterFixture.raft(3, 5).sts(4).learner(3, 100).podNotReady(3),
                        Kind.WAIT, null, 4, 3),
                row("up: learner far behind", ClusterFixture.raft(3, 5).sts(4).learner(3, 1), Kind.WAIT, null, 4, 3),
                row("up: learner progress unknown", ClusterFixture.raft(3, 5).sts(4).learner(3, null), Kind.WAIT, null, 4, 3),
                row("up: caught-up learner is promoted", ClusterFixture.raft(3, 5).sts(4).learner(3, 950), Kind.PROMOTE,
                        "raft-3-3", 4, 3),
                row("up: after the promotion commits, the next pod", ClusterFixture.raft(4, 5), Kind.RESIZE, "raft-3-4", 5, 4),
                row("up: promotion not committed yet: hold the config", ClusterFixture.raft(4, 5).recorded(3).stale(1, 2),
                        Kind.WAIT, null, 4, 3),
                row("up: one stale follower of four does not block", ClusterFixture.raft(4, 5).stale(2), Kind.RESIZE,
                        "raft-3-4", 5, 4),
                row("up: done", ClusterFixture.raft(5, 5), Kind.NONE, null, 5, 5),
                row("up: a stray learner at a higher ordinal goes first", ClusterFixture.raft(3, 5).sts(5).learner(4, 1000),
                        Kind.REMOVE_MEMBER, "raft-3-4", 5, 3),
                row("up: quorum lost: no membership change", ClusterFixture.raft(3, 5).sts(4).pod(3, true).podDown(1, 2),
                        Kind.WAIT, null, 4, 3),
                row("up: during a rolling update the pod is still added (the rollout waits for it)",
                        ClusterFixture.raft(3, 5).sts(4).pod(3, true).rollout(), Kind.ADD_MEMBER, "raft-3-3", 4, 3),
                row("up: during a rolling update no promotion", ClusterFixture.raft(3, 5).sts(4).learner(3, 1000).rollout(),
                        Kind.WAIT, null, 4, 3),
                row("up: during a rolling update no new pod", ClusterFixture.raft(3, 5).rollout(), Kind.WAIT, null, 3, 3),
                row("up 1 -> 2: single voter adds a learner", ClusterFixture.raft(1, 2).sts(2).pod(1, true), Kind.ADD_MEMBER,
                        "raft-3-1", 2, 1),
                row("zab up: add as observer", ClusterFixture.zab(3, 5).sts(4).pod(3, true), Kind.ADD_MEMBER, "zab-5-3", 4, 3),
                row("zab up: caught-up observer is promoted", ClusterFixture.zab(3, 5).sts(4).learner(3, 1000), Kind.PROMOTE,
                        "zab-5-3", 4, 3),
                // down
                row("down: remove the highest voter", ClusterFixture.raft(5, 3), Kind.REMOVE_MEMBER, "raft-3-4", 5, 5),
                row("down: the highest voter leads: transfer first", ClusterFixture.raft(5, 3).leader(4),
                        Kind.TRANSFER_LEADERSHIP, "raft-3-4", 5, 5),
                row("down: removal not committed yet: keep the pod and the config",
                        ClusterFixture.raft(4, 3).sts(5).recorded(5).stale(1, 2), Kind.WAIT, null, 5, 5),
                row("down: removal committed: drop its pod", ClusterFixture.raft(4, 3).sts(5).recorded(5), Kind.RESIZE,
                        "raft-3-4", 4, 4),
                row("down: next removal", ClusterFixture.raft(4, 3), Kind.REMOVE_MEMBER, "raft-3-3", 4, 4),
                row("down: done", ClusterFixture.raft(3, 3).sts(3), Kind.NONE, null, 3, 3),
                row("down: removing a healthy voter would leave 2 of 4", ClusterFixture.raft(5, 3).podDown(1, 2), Kind.WAIT,
                        null, 5, 5),
                row("down: removing the member that is down costs nothing", ClusterFixture.raft(5, 3).podDown(4, 2),
                        Kind.REMOVE_MEMBER, "raft-3-4", 5, 5),
                row("down: leftover learner goes first", ClusterFixture.raft(5, 3).sts(6).learner(5, 10),
                        Kind.REMOVE_MEMBER, "raft-3-5", 6, 5),
                row("down: during a rolling update no removal", ClusterFixture.raft(5, 3).rollout(), Kind.WAIT, null, 5, 5),
                row("down 2 -> 1: the follower goes", ClusterFixture.raft(2, 1), Kind.REMOVE_MEMBER, "raft-3-1", 2, 2),
                row("scaled back while a learner joined: remove it, keep the pods", ClusterFixture.raft(3, 3).sts(4)
                        .learner(3, 1000), Kind.REMOVE_MEMBER, "raft-3-3", 4, 3),
                row("scaled back: then drop the learner's pod", ClusterFixture.raft(3, 3).sts(4).pod(3, true), Kind.RESIZE,
                        "raft-3-3", 3, 3),
                // guards
                row("learners in spec: scaling refused with the reason", ClusterFixture.raft(3, 5).nonVoters(1).sts(4),
                        Kind.BLOCKED, null, 4, 3),
                row("learners in spec, replicas unchanged: the spec's layout", ClusterFixture.raft(3, 3).nonVoters(1).sts(4),
                        Kind.NONE, null, 4, 3),
                row("voters not a prefix of the ordinals: a human decides", ClusterFixture.raft(3, 2).voterNames(0, 1, 3),
                        Kind.BLOCKED, null, 3, 3),
                row("no annotation (older operator): voters from the replicas", ClusterFixture.raft(3, 3).recorded(null)
                        .noLeader(), Kind.NONE, null, 3, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void nextStep(String name, ClusterFixture cluster, Kind kind, String target, int pods, int voters) {
        ScaleOutcome plan = ScalePlanner.plan(cluster.observation());
        assertThat(plan.step().kind()).as(plan.step().toString()).isEqualTo(kind);
        if (target != null) {
            assertThat(plan.step().target()).isEqualTo(target);
        }
        assertThat(plan.layout()).isEqualTo(new MemberLayout(pods, voters));
        if (kind == Kind.WAIT || kind == Kind.BLOCKED) {
            assertThat(plan.step().blockedBy()).as("a wait says why").isNotBlank();
        }
    }

    @Test
    void theStatusCountsTheLeadersLatestConfigurationTheFileOnlyCommittedVoters() {
        ScaleOutcome removing = ScalePlanner.plan(ClusterFixture.raft(4, 3).sts(5).recorded(5).stale(1, 2).observation());
        assertThat(removing.layout()).isEqualTo(new MemberLayout(5, 5));
        assertThat(removing.current()).as("the removed member no longer counts for quorum")
                .isEqualTo(new MemberLayout(5, 4));
        ScaleOutcome promoting = ScalePlanner.plan(ClusterFixture.raft(4, 5).recorded(3).stale(1, 2).observation());
        assertThat(promoting.layout()).isEqualTo(new MemberLayout(4, 3));
        assertThat(promoting.current()).isEqualTo(new MemberLayout(4, 4));
        assertThat(ScalePlanner.plan(ClusterFixture.raft(3, 5).noLeader().observation()).current())
                .isEqualTo(new MemberLayout(3, 3));
    }

    @Test
    void reasonsNameWhatBlocks() {
        assertThat(ScalePlanner.plan(ClusterFixture.raft(3, 5).sts(4).learner(3, 1).observation()).step().blockedBy())
                .contains("raft-3-3 is catching up: 999 entries behind");
        assertThat(ScalePlanner.plan(ClusterFixture.raft(5, 3).podDown(1, 2).observation()).step().blockedBy())
                .contains("would leave 2 healthy voters of 4, 3 required");
        assertThat(ScalePlanner.plan(ClusterFixture.raft(3, 5).nonVoters(1).sts(4).observation()).step().blockedBy())
                .contains("spec.learners").contains("set them to 0 first");
        assertThat(ScalePlanner.plan(ClusterFixture.raft(4, 5).recorded(3).stale(1, 2).observation()).step().blockedBy())
                .contains("2/4 voters report the leader's configuration");
    }

    /**
     * Every voter-changing step, for every cluster size and every set of members down, leaves a majority of the new
     * configuration healthy (or is not taken).
     */
    @Test
    void noStepDropsBelowQuorum() {
        int checked = 0;
        for (int voters = 1; voters <= 7; voters++) {
            for (int desired = 1; desired <= 7; desired++) {
                for (int downMask = 0; downMask < (1 << voters); downMask++) {
                    for (boolean learner : new boolean[] {false, true}) {
                        ClusterFixture c = ClusterFixture.raft(voters, desired);
                        List<Integer> down = new ArrayList<>();
                        for (int i = 0; i < voters; i++) {
                            if ((downMask & (1 << i)) != 0) {
                                down.add(i);
                            }
                        }
                        if (down.contains(0)) {
                            continue; // the leader answers by definition
                        }
                        c.podDown(down.stream().mapToInt(Integer::intValue).toArray());
                        if (learner) {
                            c.sts(voters + 1).learner(voters, 1000);
                        }
                        Step step = ScalePlanner.plan(c.observation()).step();
                        int healthy = voters - down.size();
                        if (step.kind() == Kind.PROMOTE) {
                            assertThat(healthy + 1).isGreaterThanOrEqualTo(QuorumMath.majority(voters + 1));
                            checked++;
                        }
                        if (step.kind() == Kind.REMOVE_MEMBER && step.target().equals("raft-3-" + (voters - 1))) {
                            int left = healthy - (down.contains(voters - 1) ? 0 : 1);
                            assertThat(left).as("%s with %s down", step, down)
                                    .isGreaterThanOrEqualTo(QuorumMath.majority(voters - 1));
                            checked++;
                        }
                        if (step.kind() != Kind.WAIT && step.kind() != Kind.BLOCKED && step.kind() != Kind.NONE
                                && step.kind() != Kind.RESIZE) {
                            assertThat(QuorumMath.hasQuorum(voters, healthy)).as("%s with %s down", step, down)
                                    .isTrue();
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(50);
    }

    private static Arguments row(String name, ClusterFixture cluster, Kind kind, String target, int pods, int voters) {
        return Arguments.of(name, cluster, kind, target, pods, voters);
    }
}
