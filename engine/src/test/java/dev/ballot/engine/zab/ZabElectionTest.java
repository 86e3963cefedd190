package dev.ballot.engine.zab;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Proposal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ZabElectionTest {

    @Test
    void threeEmptyServersElectTheHighestId() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        assertThat(c.node(1).state()).isEqualTo(ServerState.FOLLOWING);
        assertThat(c.node(2).state()).isEqualTo(ServerState.FOLLOWING);
        assertThat(c.node(3).status().role()).isEqualTo("leading");
        assertThat(c.node(1).status().role()).isEqualTo("following");
        assertThat(c.node(1).status().leaderId()).isEqualTo(3);
    }

    @Test
    void fiveEmptyServersElectTheHighestId() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3, 4, 5));
        assertThat(c.awaitLeader(100)).isEqualTo(5);
    }

    @Test
    void discoveryMovesBothEpochsForward() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        c.awaitLeader(100);
        for (long id : List.of(1L, 2L, 3L)) {
            assertThat(c.node(id).currentEpoch()).isEqualTo(1);
            assertThat(c.node(id).acceptedEpoch()).isEqualTo(1);
            assertThat(c.stores.get(id).hardState.term()).isEqualTo(1);
            assertThat(c.stores.get(id).hardState.acceptedEpoch()).isEqualTo(1);
        }
        c.crash(3);
        long next = c.awaitLeader(200);
        assertThat(next).isEqualTo(2);
        assertThat(c.node(2).currentEpoch()).isEqualTo(2);
        assertThat(c.node(1).acceptedEpoch()).isEqualTo(2);
    }

    @Test
    void theMostUpToDateServerWinsOverAHigherId() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        // 3 crashes; 2 leads epoch 2 with 1 and commits a write while 3 is away
        c.crash(3);
        assertThat(c.awaitLeader(200)).isEqualTo(2);
        assertThat(c.node(2).propose(ZabTestCluster.put(1, "k", "v")).accepted()).isTrue();
        c.runUntil(() -> c.node(1).committedZxid() == c.node(2).lastZxid(), 20);
        // 2 crashes, 3 returns: 1 holds (epoch 2, zxid 2.1) and must win over 3's (epoch 1, higher id)
        c.crash(2);
        c.start(3);
        assertThat(c.awaitLeader(300)).isEqualTo(1);
        assertThat(c.value(3, "k")).isEqualTo("v");
    }

    @Test
    void leaderCrashElectsANewLeaderThatKeepsCommittedWrites() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3, 4, 5));
        long first = c.awaitLeader(100);
        Proposal p = c.node(first).propose(ZabTestCluster.put(1, "a", "1"));
        assertThat(p.accepted()).isTrue();
        c.runUntil(() -> c.node(first).committedZxid() >= p.index(), 20);
        long crashedAt = c.ticks;
        c.crash(first);
        long second = c.awaitLeader(200);
        assertThat(second).isNotEqualTo(first);
        // syncLimit * tickTime = 20 ticks to notice, then a few round trips and the finalize wait
        assertThat(c.ticks - crashedAt).isLessThanOrEqualTo(40);
        for (long id : c.nodes.keySet()) {
            assertThat(c.value(id, "a")).isEqualTo("1");
        }
    }

    @Test
    void observerLearnsButIsNeverElected() {
        Membership m = Membership.of(List.of(new Member(1, MemberKind.VOTER, ""), new Member(2, MemberKind.VOTER, ""),
                new Member(3, MemberKind.VOTER, ""), new Member(9, MemberKind.OBSERVER, "")));
        ZabTestCluster c = new ZabTestCluster(m);
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        assertThat(c.node(9).state()).isEqualTo(ServerState.OBSERVING);
        assertThat(c.node(9).status().role()).isEqualTo("observing");
        Proposal p = c.node(3).propose(ZabTestCluster.put(1, "x", "y"));
        c.runUntil(() -> c.node(9).committedZxid() >= p.index(), 20);
        assertThat(c.value(9, "x")).isEqualTo("y");
        // the observer holds the highest id and the newest history, yet the voters elect among themselves
        c.crash(3);
        long next = c.awaitLeader(200);
        assertThat(next).isIn(1L, 2L);
        c.crash(next);
        c.runUntil(() -> false, 200);
        assertThat(c.node(9).state()).isNotEqualTo(ServerState.LEADING);
        assertThat(c.leader()).isZero();
    }

    @Test
    void noLeaderWithoutAQuorum() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        c.awaitLeader(100);
        c.crash(1);
        c.crash(2);
        c.runUntil(() -> false, 100);
        assertThat(c.node(3).state()).isEqualTo(ServerState.LOOKING);
        assertThat(c.node(3).propose(ZabTestCluster.put(1, "a", "b")).accepted()).isFalse();
    }

    @Test
    void restartedFollowerRejoinsWithoutDisturbingTheLeader() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        c.awaitLeader(100);
        long epoch = c.node(3).currentEpoch();
        c.crash(1);
        c.runUntil(() -> false, 10);
        c.start(1);
        c.awaitLeader(100);
        assertThat(c.leader()).isEqualTo(3);
        assertThat(c.node(3).currentEpoch()).isEqualTo(epoch);
    }

    @Test
    void partitionedLeaderStepsDownAndIsTruncatedOnReturn() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        c.isolate(3);
        Proposal lost = c.node(3).propose(ZabTestCluster.put(1, "lost", "x"));
        assertThat(lost.accepted()).isTrue();
        long next = c.awaitLeaderAmong(List.of(1L, 2L), 300);
        Proposal kept = c.node(next).propose(ZabTestCluster.put(2, "kept", "y"));
        c.runUntil(() -> c.node(next).committedZxid() >= kept.index(), 20);
        c.heal();
        c.awaitLeader(300);
        assertThat(c.node(3).lastZxid()).isEqualTo(c.node(next).lastZxid());
        assertThat(c.stores.get(3L).entries).doesNotContainKey(lost.index());
        assertThat(c.value(3, "lost")).isNull();
        assertThat(c.value(3, "kept")).isEqualTo("y");
    }

    @Test
    void eachFailoverAdvancesTheEpochByOne() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        for (int i = 0; i < 4; i++) {
            long epoch = c.node(leader).currentEpoch();
            c.crash(leader);
            long next = c.awaitLeader(200);
            assertThat(c.node(next).currentEpoch()).as("failover %d", i).isEqualTo(epoch + 1);
            c.start(leader);
            c.awaitLeader(200);
            assertThat(c.leader()).isEqualTo(next);
            leader = next;
        }
    }
}
