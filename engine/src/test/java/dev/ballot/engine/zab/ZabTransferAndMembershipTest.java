package dev.ballot.engine.zab;

import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Proposal;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZabTransferAndMembershipTest {

    @Test
    void transferElectsTheTargetWithoutWaitingForATimeout() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3, 4, 5));
        assertThat(c.awaitLeader(100)).isEqualTo(5);
        Proposal p = c.node(5).propose(ZabTestCluster.put(1, "a", "1"));
        c.runUntil(() -> c.node(5).committedZxid() >= p.index(), 10);
        long startedAt = c.ticks;
        // the lowest id: plain FLE would never pick it on a tie
        assertThat(c.node(5).transferLeadership(1)).isTrue();
        assertThat(c.awaitLeader(100)).isEqualTo(1);
        // far below syncLimit * tickTime (20 ticks): no failure detection involved
        assertThat(c.ticks - startedAt).isLessThan(10);
        assertThat(c.node(5).state()).isEqualTo(ServerState.FOLLOWING);
        assertThat(c.node(1).currentEpoch()).isGreaterThan(Zxid.epoch(p.index()));
        assertThat(c.value(1, "a")).isEqualTo("1");
    }

    @Test
    void transferWaitsUntilTheTargetHoldsEverything() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        c.drop = m -> m.to() == 1 && m instanceof ZabMessage.Propose;
        c.node(3).propose(ZabTestCluster.put(1, "a", "1"));
        c.drain();
        assertThat(c.node(3).transferLeadership(1)).isTrue();
        assertThat(c.node(3).propose(ZabTestCluster.put(2, "b", "2")).outcome()).isEqualTo(Proposal.Outcome.BUSY);
        c.tick();
        assertThat(c.node(3).state()).isEqualTo(ServerState.LEADING);
        c.drop = m -> false;
        assertThat(c.runUntil(() -> c.leader() == 1 && c.stable(), 100)).isTrue();
        assertThat(c.value(1, "a")).isEqualTo("1");
    }

    @Test
    void transferToAnUnknownOrNonVotingMemberIsRefused() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        c.awaitLeader(100);
        assertThat(c.node(3).transferLeadership(42)).isFalse();
        assertThat(c.node(1).transferLeadership(2)).isFalse();
        assertThat(c.node(3).transferLeadership(0)).isTrue();
        long next = c.awaitLeader(100);
        assertThat(next).isIn(1L, 2L);
    }

    @Test
    void observerIsAddedThenPromotedThenRemoved() {
        Membership initial = Membership.voters(1, 2, 3);
        ZabTestCluster c = new ZabTestCluster(initial.with(new dev.ballot.engine.Member(4, MemberKind.OBSERVER, "")), b -> { });
        // start from a configuration without 4 in the leader's log: remove it first, then add it back
        long leader = c.awaitLeader(100);
        Proposal removed = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.REMOVE, 4, ""));
        assertThat(removed.accepted()).isTrue();
        c.runUntil(() -> c.node(leader).committedZxid() >= removed.index(), 20);
        assertThat(c.node(leader).membership().contains(4)).isFalse();

        Proposal added = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.ADD_OBSERVER, 4, "h4:2888"));
        assertThat(added.accepted()).isTrue();
        // one change at a time: a second one waits for the first to commit
        assertThat(c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, 4, "")).outcome())
                .isEqualTo(Proposal.Outcome.BUSY);
        c.runUntil(() -> c.node(leader).committedZxid() >= added.index(), 20);
        Proposal w = c.node(leader).propose(ZabTestCluster.put(1, "x", "1"));
        c.runUntil(() -> c.node(4).committedZxid() >= w.index(), 200);
        assertThat(c.value(4, "x")).isEqualTo("1");
        assertThat(c.node(4).state()).isEqualTo(ServerState.OBSERVING);

        Proposal promoted = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, 4, ""));
        assertThat(promoted.accepted()).isTrue();
        c.runUntil(() -> c.node(4).committedZxid() >= promoted.index(), 50);
        assertThat(c.node(leader).membership().isVoter(4)).isTrue();
        assertThat(c.node(4).state()).isEqualTo(ServerState.FOLLOWING);
        assertThat(c.node(4).membership().voterIds()).containsExactly(1L, 2L, 3L, 4L);

        long follower = leader == 1 ? 2 : 1;
        Proposal gone = c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.REMOVE, follower, ""));
        c.runUntil(() -> c.node(leader).committedZxid() >= gone.index(), 20);
        assertThat(c.node(leader).membership().voterIds()).doesNotContain(follower).hasSize(3);
    }

    @Test
    void invalidMembershipStepsAreRefusedWithTheFix() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        assertThatThrownBy(() -> c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, 9, "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ADD_OBSERVER it first");
        assertThatThrownBy(() -> c.node(leader).proposeMembership(new MembershipChange(MembershipChange.Type.ADD_OBSERVER, 2, "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already a voter");
    }

    @Test
    void leaderThatRemovesItselfHandsOver() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        assertThat(c.awaitLeader(100)).isEqualTo(3);
        Proposal p = c.node(3).proposeMembership(new MembershipChange(MembershipChange.Type.REMOVE, 3, ""));
        assertThat(p.accepted()).isTrue();
        assertThat(c.runUntil(() -> {
            long l = c.leader();
            return l == 1 || l == 2;
        }, 100)).isTrue();
        assertThat(c.node(c.leader()).membership().voterIds()).containsExactly(1L, 2L);
    }
}
