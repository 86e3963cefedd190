package dev.ballot.engine.zab;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Proposal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The transport's "connection closed" hint: a faster failover when it is right, harmless when it is wrong. */
class ZabPeerUnreachableTest {
    /** ZooKeeper's usual syncLimit 5 (the test cluster's tickTime is 5 ticks): 25 ticks to notice by timeout. */
    private static ZabTestCluster cluster(long... ids) {
        return new ZabTestCluster(Membership.voters(ids), b -> b.syncLimit(5));
    }

    private static final int SYNC_TIMEOUT_TICKS = 25;

    @Test
    void followersToldTheirLeaderIsGoneElectANewOneLongBeforeSyncLimit() {
        ZabTestCluster c = cluster(1, 2, 3);
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        Proposal p = c.node(3).propose(ZabTestCluster.put(1, "a", "1"));
        c.runUntil(() -> c.node(1).committedZxid() >= p.index() && c.node(2).committedZxid() >= p.index(), 20);
        long crashedAt = c.ticks;

        c.crash(3);
        c.node(1).peerUnreachable(3);
        c.node(2).peerUnreachable(3);

        assertThat(c.node(1).state()).isEqualTo(ServerState.LOOKING);
        assertThat(c.node(2).state()).isEqualTo(ServerState.LOOKING);
        assertThat(c.awaitLeader(SYNC_TIMEOUT_TICKS)).isEqualTo(2);
        assertThat(c.ticks - crashedAt).isLessThan(SYNC_TIMEOUT_TICKS / 2);
        assertThat(c.value(1, "a")).isEqualTo("1");
        assertThat(c.value(2, "a")).isEqualTo("1");
    }

    @Test
    void hintsThatArriveAtDifferentTimesStillElectWithinAFewTicksNotATickTime() {
        // tickTime 50: a vote lost to a peer that was still following must be re-sent long before that.
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3), b -> b.tickTime(50).syncLimit(5));
        assertThat(c.awaitLeader(500)).isEqualTo(3);
        long crashedAt = c.ticks;

        c.crash(3);
        c.node(2).peerUnreachable(3);
        c.drain(); // 2's vote reaches 1 while 1 still follows, and 1 answers FOLLOWING
        c.node(1).peerUnreachable(3);

        assertThat(c.awaitLeader(50)).isEqualTo(2);
        assertThat(c.ticks - crashedAt).isLessThan(10);
    }

    @Test
    void withoutTheHintTheSameCrashWaitsForSyncLimit() {
        ZabTestCluster c = cluster(1, 2, 3);
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        long crashedAt = c.ticks;

        c.crash(3);

        assertThat(c.awaitLeader(100)).isEqualTo(2);
        assertThat(c.ticks - crashedAt).isGreaterThan(SYNC_TIMEOUT_TICKS);
    }

    @Test
    void aHintAboutAPeerThatIsNotTheLeaderChangesNothing() {
        ZabTestCluster c = cluster(1, 2, 3, 4, 5);
        assertThat(c.awaitLeader(100)).isEqualTo(5);
        long epoch = c.node(1).currentEpoch();

        c.node(1).peerUnreachable(2);
        c.node(1).peerUnreachable(1);
        c.node(1).peerUnreachable(42);

        assertThat(c.node(1).state()).isEqualTo(ServerState.FOLLOWING);
        assertThat(c.node(1).hasReady()).isFalse();
        c.runUntil(() -> false, 3 * SYNC_TIMEOUT_TICKS);
        assertThat(c.leader()).isEqualTo(5);
        assertThat(c.node(1).currentEpoch()).isEqualTo(epoch);
    }

    @Test
    void aLeaderToldOneLearnerIsGoneKeepsLeadingWhileItHasAQuorum() {
        ZabTestCluster c = cluster(1, 2, 3, 4, 5);
        assertThat(c.awaitLeader(100)).isEqualTo(5);
        long epoch = c.node(5).currentEpoch();

        c.crash(1);
        c.node(5).peerUnreachable(1);

        assertThat(c.node(5).state()).isEqualTo(ServerState.LEADING);
        Proposal p = c.node(5).propose(ZabTestCluster.put(1, "k", "v"));
        assertThat(c.runUntil(() -> c.node(5).committedZxid() >= p.index(), 20)).isTrue();
        assertThat(c.node(5).currentEpoch()).isEqualTo(epoch);
    }

    @Test
    void aLeaderToldItsQuorumIsGoneStepsDownAtOnce() {
        ZabTestCluster c = cluster(1, 2, 3);
        assertThat(c.awaitLeader(100)).isEqualTo(3);

        c.crash(1);
        c.node(3).peerUnreachable(1);
        assertThat(c.node(3).state()).isEqualTo(ServerState.LEADING);
        c.crash(2);
        c.node(3).peerUnreachable(2);

        assertThat(c.node(3).state()).isEqualTo(ServerState.LOOKING);
    }

    @Test
    void aWrongHintWhileTheLeaderLivesCostsAtMostOneElectionAndLosesNothing() {
        ZabTestCluster c = cluster(1, 2, 3);
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        Proposal before = c.node(3).propose(ZabTestCluster.put(1, "a", "1"));
        c.runUntil(() -> c.node(1).committedZxid() >= before.index(), 20);
        long epoch = c.node(3).currentEpoch();

        c.node(1).peerUnreachable(3);
        c.node(3).peerUnreachable(1);

        assertThat(c.node(1).state()).isEqualTo(ServerState.LOOKING);
        long leader = c.awaitLeader(4 * SYNC_TIMEOUT_TICKS);
        for (long id : List.of(1L, 2L, 3L)) {
            assertThat(c.node(id).currentEpoch()).isBetween(epoch, epoch + 1);
        }
        Proposal after = c.node(leader).propose(ZabTestCluster.put(2, "b", "2"));
        assertThat(after.accepted()).isTrue();
        assertThat(c.runUntil(() -> c.nodes.values().stream().allMatch(n -> n.committedZxid() >= after.index()), 40))
                .isTrue();
        List<LogEntry> reference = c.appliedLog.get(leader);
        for (long id : List.of(1L, 2L, 3L)) {
            assertThat(c.value(id, "a")).isEqualTo("1");
            assertThat(c.value(id, "b")).isEqualTo("2");
            assertThat(reference).startsWith(c.appliedLog.get(id).toArray(LogEntry[]::new));
        }
    }
}
