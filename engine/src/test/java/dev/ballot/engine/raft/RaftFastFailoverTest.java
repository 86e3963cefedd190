package dev.ballot.engine.raft;

import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What shortens a Raft failover without touching safety: the transport's "connection closed" hint about the
 * leader, and vote requests asked again of voters that stayed silent. Test clusters use the builder's
 * defaults: election timeout 15-30 ticks, heartbeat 5.
 */
class RaftFastFailoverTest {
    private static final int ELECTION_MIN = 15;
    private static final int HEARTBEAT = 5;

    private static TestCluster clusterLedBy1() {
        TestCluster c = new TestCluster(7, 1, 2, 3);
        c.campaign(1);
        assertThat(c.leader()).isEqualTo(1);
        return c;
    }

    /** Ticks every live node until a leader other than {@code old} appears; returns the ticks it took. */
    private static int ticksUntilNewLeader(TestCluster c, long old, int limit) {
        for (int t = 1; t <= limit; t++) {
            c.tickAll(1);
            long leader = c.leader();
            if (leader != 0 && leader != old) {
                return t;
            }
        }
        throw new AssertionError("no new leader within " + limit + " ticks");
    }

    @Test
    void followersToldTheirLeaderIsGoneElectWithinAHeartbeatInsteadOfAnElectionTimeout() {
        TestCluster c = clusterLedBy1();
        c.crash(1);
        c.node(2).peerUnreachable(1);
        c.node(3).peerUnreachable(1);

        assertThat(ticksUntilNewLeader(c, 1, 100)).isLessThanOrEqualTo(HEARTBEAT);
        assertThat(c.node(2).currentTerm()).as("one election, no split vote").isEqualTo(2);
    }

    @Test
    void withoutTheHintTheSameCrashWaitsAtLeastTheMinimumElectionTimeout() {
        TestCluster c = clusterLedBy1();
        c.crash(1);

        assertThat(ticksUntilNewLeader(c, 1, 100)).isGreaterThanOrEqualTo(ELECTION_MIN);
    }

    @Test
    void aWrongHintAboutALiveLeaderNeitherDeposesItNorRaisesTheTerm() {
        TestCluster c = clusterLedBy1();
        c.node(2).peerUnreachable(1);

        c.tickAll(4 * ELECTION_MIN);

        assertThat(c.leader()).isEqualTo(1);
        for (long id : List.of(1L, 2L, 3L)) {
            assertThat(c.node(id).currentTerm()).as("term at node %d", id).isEqualTo(1);
        }
        assertThat(c.node(2).leaderId()).as("it follows the live leader again").isEqualTo(1);
    }

    @Test
    void aHintAboutAFollowerChangesNothing() {
        TestCluster c = clusterLedBy1();
        c.node(2).peerUnreachable(3);
        c.node(1).peerUnreachable(3);

        assertThat(c.node(2).hasReady()).isFalse();
        assertThat(c.node(2).leaderId()).isEqualTo(1);
        assertThat(c.node(1).isLeader()).isTrue();
    }

    @Test
    void aCampaignAsksTheVotersThatStayedSilentAgainEveryHeartbeat() {
        RaftNode n = RaftNode.create(RaftOptions.builder(1, Membership.voters(1, 2, 3, 4, 5))
                .random(RandomSource.seeded(1)).build(), PersistedState.EMPTY);
        while (n.role() != RaftNode.Role.PRE_CANDIDATE) {
            n.tick();
        }
        assertThat(drain(n)).hasSize(4);
        n.step(new VoteResponse(2, 1, 1, true, true));
        drain(n);

        for (int i = 0; i < HEARTBEAT; i++) {
            n.tick();
        }

        List<Message> again = drain(n);
        assertThat(again).allSatisfy(m -> assertThat(m).isInstanceOfSatisfying(RequestVote.class, rv -> {
            assertThat(rv.preVote()).isTrue();
            assertThat(rv.term()).isEqualTo(1);
        }));
        assertThat(again).extracting(Message::to).containsExactlyInAnyOrder(3L, 4L, 5L);
        assertThat(n.role()).isEqualTo(RaftNode.Role.PRE_CANDIDATE);
    }

    @Test
    void aVoterWhoseLeaseOutlivedTheFirstRequestGrantsTheRepeatedOne() {
        // 3's timer fires while 2 still counts the dead leader's lease, so 2 ignores the first pre-vote request.
        TestCluster c = clusterLedBy1();
        c.crash(1);
        while (c.node(3).role() != RaftNode.Role.PRE_CANDIDATE) {
            c.tick(3);
        }
        c.settle();
        assertThat(c.node(3).role()).isEqualTo(RaftNode.Role.PRE_CANDIDATE);

        int ticks = ticksUntilNewLeader(c, 1, 100);

        assertThat(c.leader()).isEqualTo(3);
        assertThat(ticks).as("elected as soon as 2's lease ran out, not a new random timeout later")
                .isEqualTo(ELECTION_MIN);
    }

    @Test
    void aHungLeadersSuccessorCampaignsOneTickAfterTheLeaseWhateverItsRandomDraw() {
        // No hint (a frozen process closes no socket): before the successor, the first of the two followers' random
        // timeouts decided, up to 30 ticks; over 200 draws the election now always ends one tick after the lease.
        for (long seed = 1; seed <= 200; seed++) {
            TestCluster c = new TestCluster(seed, 1, 2, 3);
            c.campaign(1);
            c.crash(1);

            int ticks = ticksUntilNewLeader(c, 1, 100);

            assertThat(ticks).as("seed %d: ticks from the last heartbeat to a new leader", seed)
                    .isLessThanOrEqualTo(ELECTION_MIN + 1);
            assertThat(c.node(c.leader()).currentTerm()).as("seed %d: one election", seed).isEqualTo(2);
        }
    }

    @Test
    void theSuccessorIsTheHighestVoterIdOtherThanTheLeader() {
        TestCluster c = clusterLedBy1();
        assertThat(c.node(3).isSuccessor()).isTrue();
        assertThat(c.node(2).isSuccessor()).isFalse();
        assertThat(c.node(1).isSuccessor()).as("a leader succeeds nobody").isFalse();
        assertThat(c.node(3).electionTimeout()).isLessThanOrEqualTo(ELECTION_MIN + 1);

        c.crash(1);
        ticksUntilNewLeader(c, 1, 100);
        assertThat(c.leader()).isEqualTo(3);
        assertThat(c.node(2).isSuccessor()).as("3 leads now: 2 is the only other voter").isTrue();
    }

    @Test
    void aFollowerThatKnowsNoLeaderKeepsItsRandomDraw() {
        RaftNode n = RaftNode.create(RaftOptions.builder(3, Membership.voters(1, 2, 3))
                .random(RandomSource.seeded(3)).build(), PersistedState.EMPTY);
        assertThat(n.leaderId()).isZero();
        assertThat(n.isSuccessor()).isFalse();
    }

    @Test
    void whenTheSuccessorIsDownTooTheOthersElectWithinTheirOwnRandomTimeouts() {
        TestCluster c = new TestCluster(7, 1, 2, 3, 4, 5);
        c.campaign(1);
        assertThat(c.node(5).isSuccessor()).isTrue();
        c.crash(5);
        c.crash(1);

        int ticks = ticksUntilNewLeader(c, 1, 100);

        assertThat(c.leader()).isIn(2L, 3L, 4L);
        assertThat(ticks).isBetween(ELECTION_MIN, 30 + HEARTBEAT);
    }

    @Test
    void aSuccessorCutOffFromALiveLeaderDisruptsNothing() {
        TestCluster c = clusterLedBy1();
        c.dropIf = m -> m.from() == 1 && m.to() == 3;

        c.tickAll(10 * ELECTION_MIN);

        assertThat(c.leader()).isEqualTo(1);
        for (long id : List.of(1L, 2L, 3L)) {
            assertThat(c.node(id).currentTerm()).as("term at node %d (pre-vote: 2 still holds 1's lease)", id)
                    .isEqualTo(1);
        }
    }

    private static List<Message> drain(RaftNode n) {
        Ready r = n.ready();
        n.advance(r);
        return r.messages();
    }
}
