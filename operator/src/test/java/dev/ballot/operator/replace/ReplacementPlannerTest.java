package dev.ballot.operator.replace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.scale.ClusterFixture;
import dev.ballot.operator.step.Step.Kind;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReplacementPlannerTest {

    /** One row: the cluster, who reports needsReplacement, the step, its target, and whether it is rejoining. */
    static Stream<Arguments> table() {
        return Stream.of(
                row("steady: nothing to replace", ClusterFixture.raft(3, 3), Set.of(), Kind.NONE, null, false),
                row("new cluster: nothing", ClusterFixture.raft(3, 3).noStatefulSet(), Set.of("raft-3-1"), Kind.NONE,
                        null, false),
                row("a voter lost its storage: remove it", ClusterFixture.raft(3, 3).podDown(1), Set.of("raft-3-1"),
                        Kind.REMOVE_MEMBER, "raft-3-1", false),
                row("two lost: the lowest ordinal first", ClusterFixture.raft(5, 5).podDown(1, 3),
                        Set.of("raft-3-3", "raft-3-1"), Kind.REMOVE_MEMBER, "raft-3-1", false),
                row("removal would leave too few healthy voters", ClusterFixture.raft(3, 3).podDown(1, 2),
                        Set.of("raft-3-1"), Kind.WAIT, "raft-3-1", false),
                row("last membership change not committed: wait", ClusterFixture.raft(3, 3).podDown(1).stale(0, 2),
                        Set.of("raft-3-1"), Kind.WAIT, "raft-3-1", false),
                row("no leader: wait", ClusterFixture.raft(3, 3).noLeader(), Set.of("raft-3-1"), Kind.WAIT,
                        "raft-3-1", false),
                row("removed: add it again as learner", ClusterFixture.raft(3, 3).removed(1).podDown(1),
                        Set.of("raft-3-1"), Kind.ADD_MEMBER, "raft-3-1", true),
                row("removed (operator restarted, the member no longer says so): still added again",
                        ClusterFixture.raft(3, 3).removed(1).podDown(1), Set.of(), Kind.ADD_MEMBER, "raft-3-1", true),
                row("removal not committed yet: wait before adding", ClusterFixture.raft(3, 3).removed(1).podDown(1)
                        .stale(0, 2), Set.of("raft-3-1"), Kind.WAIT, "raft-3-1", true),
                row("learner still runs the needs-replacement process: restart its pod",
                        ClusterFixture.raft(3, 3).learner(1, null).podDown(1), Set.of("raft-3-1"), Kind.RESTART,
                        "raft-3-1", true),
                row("learner starting: wait", ClusterFixture.raft(3, 3).learner(1, null).podDown(1), Set.of(),
                        Kind.WAIT, "raft-3-1", true),
                row("learner far behind: wait", ClusterFixture.raft(3, 3).learner(1, 2), Set.of(), Kind.WAIT,
                        "raft-3-1", true),
                row("learner caught up: promote", ClusterFixture.raft(3, 3).learner(1, 950), Set.of(), Kind.PROMOTE,
                        "raft-3-1", true),
                row("promotion would leave quorum unhealthy: wait", ClusterFixture.raft(5, 5).learner(1, 1000)
                        .podDown(2, 3, 4), Set.of(), Kind.WAIT, "raft-3-1", true),
                row("scaling down: a slot above spec.replicas is not a replacement",
                        ClusterFixture.raft(2, 2).sts(3).recorded(3).podDown(2), Set.of(), Kind.NONE, null, false),
                row("scaling up: the joining learner is not a replacement", ClusterFixture.raft(3, 4).sts(4)
                        .learner(3, 1), Set.of(), Kind.NONE, null, false),
                row("zab: removed, added again as observer", ClusterFixture.zab(3, 3).removed(2).podDown(2),
                        Set.of("zab-5-2"), Kind.ADD_MEMBER, "zab-5-2", true),
                row("zab: caught-up observer promoted", ClusterFixture.zab(3, 3).learner(2, 1000), Set.of(),
                        Kind.PROMOTE, "zab-5-2", true),
                row("the leader's own slot never needs it (it leads)", ClusterFixture.raft(3, 3), Set.of(),
                        Kind.NONE, null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void plansTheNextReplacementStep(String name, ClusterFixture cluster, Set<String> lost, Kind kind, String target,
                                     boolean rejoining) {
        Replacement r = ReplacementPlanner.plan(cluster.observation(), lost);
        assertThat(r.step().kind()).as(r.step().toString()).isEqualTo(kind);
        assertThat(r.target()).isEqualTo(target);
        assertThat(r.rejoining()).isEqualTo(rejoining);
        if (kind == Kind.WAIT) {
            assertThat(r.step().blockedBy()).isNotEmpty();
        }
        if (r.step().acts()) {
            assertThat(r.step().target()).isEqualTo(target);
        }
    }

    private static Arguments row(String name, ClusterFixture cluster, Set<String> lost, Kind kind, String target,
                                 boolean rejoining) {
        return Arguments.of(name, cluster, lost, kind, target, rejoining);
    }
}
