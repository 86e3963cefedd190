package dev.ballot.engine.raft;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.Message;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.RandomSource;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RaftNodeTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RaftNode node(long id, PersistedState state, long... voters) {
        return RaftNode.create(RaftOptions.builder(id, Membership.voters(voters)).random(RandomSource.seeded(id)).build(),
                state);
    }

    private static List<Message> drain(RaftNode n) {
        Ready r = n.ready();
        n.advance(r);
        return r.messages();
    }

    private static LogEntry e(long index, long term) {
        return new LogEntry(index, term, EntryType.COMMAND, bytes("c" + index));
    }

    // ------------------------------------------------------------------ follower / candidate steps

    @Test
    void followerCampaignsWithPreVoteWithoutRaisingItsTerm() {
        RaftNode n = node(1, PersistedState.EMPTY, 1, 2, 3);
        for (int i = 0; i < 30 && n.role() == RaftNode.Role.FOLLOWER; i++) {
            n.tick();
        }
        assertThat(n.role()).isEqualTo(RaftNode.Role.PRE_CANDIDATE);
        assertThat(n.currentTerm()).isZero();
        List<Message> out = drain(n);
        assertThat(out).hasSize(2).allSatisfy(m -> {
            RequestVote rv = (RequestVote) m;
            assertThat(rv.preVote()).isTrue();
            assertThat(rv.term()).isEqualTo(1);
        });
        n.step(new VoteResponse(2, 1, 1, true, true));
        assertThat(n.role()).isEqualTo(RaftNode.Role.CANDIDATE);
        assertThat(n.currentTerm()).isEqualTo(1);
        assertThat(n.votedFor()).isEqualTo(1);
        n.step(new VoteResponse(3, 1, 1, false, true));
        assertThat(n.role()).isEqualTo(RaftNode.Role.LEADER);
        assertThat(n.lastIndex()).as("the leader appends a NOOP of its term").isEqualTo(1);
        assertThat(n.termAt(1)).isEqualTo(1);
    }

    @Test
    void candidateLosingMajorityFallsBack() {
        RaftNode n = node(1, PersistedState.EMPTY, 1, 2, 3);
        while (n.role() == RaftNode.Role.FOLLOWER) {
            n.tick();
        }
        n.step(new VoteResponse(2, 1, 0, true, false));
        n.step(new VoteResponse(3, 1, 0, true, false));
        assertThat(n.role()).isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(n.currentTerm()).isZero();
    }

    @Test
    void voterRefusesACandidateWithAStaleLog() {
        RaftNode n = node(1, new PersistedState(new HardState(2, 0, 0, 0), null, List.of(e(1, 1), e(2, 2))), 1, 2, 3);
        n.step(new RequestVote(2, 1, 3, 5, 1, false, false));
        VoteResponse no = (VoteResponse) drain(n).get(0);
        assertThat(no.granted()).isFalse();
        assertThat(n.currentTerm()).isEqualTo(3);
        n.step(new RequestVote(3, 1, 3, 2, 2, false, false));
        VoteResponse yes = (VoteResponse) drain(n).get(0);
        assertThat(yes.granted()).isTrue();
        assertThat(n.votedFor()).isEqualTo(3);
        n.step(new RequestVote(2, 1, 3, 9, 9, false, false));
        assertThat(((VoteResponse) drain(n).get(0)).granted()).as("one vote per term").isFalse();
    }

    @Test
    void voteIsPersistedBeforeTheGrantLeaves() {
        RaftNode n = node(1, PersistedState.EMPTY, 1, 2, 3);
        n.step(new RequestVote(2, 1, 4, 0, 0, false, false));
        Ready r = n.ready();
        assertThat(r.hardState()).isEqualTo(new HardState(4, 2, 0, 0));
        assertThat(r.mustSync()).isTrue();
        assertThat(r.messages()).singleElement().isInstanceOf(VoteResponse.class);
    }

    @Test
    void followerInLeaseIgnoresDisruptiveCandidate() {
        RaftNode n = node(1, PersistedState.EMPTY, 1, 2, 3);
        n.step(new Heartbeat(2, 1, 5, 0, 0));
        drain(n);
        n.step(new RequestVote(3, 1, 6, 10, 10, false, false));
        assertThat(n.currentTerm()).isEqualTo(5);
        assertThat(n.hasReady()).isFalse();
        n.step(new RequestVote(3, 1, 6, 10, 10, false, true));
        assertThat(n.currentTerm()).as("a transfer campaign overrides the lease").isEqualTo(6);
    }

    @Test
    void rivalPreCandidatesWithEqualLogsLeaveTheRaceToTheHigherId() {
        RaftNode low = node(1, PersistedState.EMPTY, 1, 2, 3);
        RaftNode high = node(2, PersistedState.EMPTY, 1, 2, 3);
        for (RaftNode n : List.of(low, high)) {
            while (n.role() != RaftNode.Role.PRE_CANDIDATE) {
                n.tick();
            }
            drain(n);
        }
        high.step(new RequestVote(1, 2, 1, 0, 0, true, false));
        assertThat(drain(high)).singleElement().isInstanceOfSatisfying(VoteResponse.class,
                v -> assertThat(v.granted()).isFalse());
        assertThat(high.role()).isEqualTo(RaftNode.Role.PRE_CANDIDATE);

        low.step(new RequestVote(2, 1, 1, 0, 0, true, false));
        assertThat(drain(low)).singleElement().isInstanceOfSatisfying(VoteResponse.class,
                v -> assertThat(v.granted()).isTrue());
        assertThat(low.role()).as("it stands down instead of splitting the vote").isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(low.currentTerm()).isZero();
    }

    @Test
    void aRivalPreCandidateBehindInTheLogNeverWinsTheRace() {
        RaftNode ahead = node(1, new PersistedState(new HardState(1, 0, 0, 0), null, List.of(e(1, 1))), 1, 2, 3);
        while (ahead.role() != RaftNode.Role.PRE_CANDIDATE) {
            ahead.tick();
        }
        drain(ahead);
        ahead.step(new RequestVote(2, 1, 2, 0, 0, true, false));
        assertThat(drain(ahead)).singleElement().isInstanceOfSatisfying(VoteResponse.class,
                v -> assertThat(v.granted()).isFalse());
        assertThat(ahead.role()).isEqualTo(RaftNode.Role.PRE_CANDIDATE);
    }

    @Test
    void followerTruncatesAConflictingSuffix() {
        RaftNode n = node(1, new PersistedState(new HardState(2, 0, 1, 0), null, List.of(e(1, 1), e(2, 1), e(3, 2))),
                1, 2, 3);
        n.step(new AppendEntries(2, 1, 3, 1, 1, 1, List.of(e(2, 3))));
        Ready r = n.ready();
        assertThat(r.truncateFrom()).isEqualTo(2);
        assertThat(r.entries()).containsExactly(e(2, 3));
        assertThat(((AppendResponse) r.messages().get(0)).index()).isEqualTo(2);
        n.advance(r);
        assertThat(n.lastIndex()).isEqualTo(2);
        assertThat(n.ready().truncateFrom()).isEqualTo(Ready.NO_TRUNCATION);
    }

    @Test
    void followerRejectsAGapWithAHint() {
        RaftNode n = node(1, new PersistedState(new HardState(2, 0, 0, 0), null, List.of(e(1, 1), e(2, 1))), 1, 2, 3);
        n.step(new AppendEntries(2, 1, 3, 7, 3, 0, List.of(e(8, 3))));
        AppendResponse resp = (AppendResponse) drain(n).get(0);
        assertThat(resp.reject()).isTrue();
        assertThat(resp.index()).isEqualTo(7);
        assertThat(resp.rejectHint()).isEqualTo(2);
        assertThat(resp.hintTerm()).isEqualTo(1);
    }

    @Test
    void staleLeaderStepsDownOnHigherTerm() {
        TestCluster c = new TestCluster(1, 1, 2, 3);
        c.campaign(1);
        assertThat(c.node(1).isLeader()).isTrue();
        c.node(1).step(new AppendResponse(2, 1, 9, true, 0, 0, 0));
        assertThat(c.node(1).role()).isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(c.node(1).currentTerm()).isEqualTo(9);
    }

    @Test
    void restartKeepsTermVoteAndLog() {
        TestCluster c = new TestCluster(2, 1, 2, 3);
        c.campaign(1);
        c.node(1).propose(bytes("x"));
        c.settle();
        long term = c.node(1).currentTerm();
        c.crash(2);
        c.restart(2);
        assertThat(c.node(2).currentTerm()).isEqualTo(term);
        assertThat(c.node(2).votedFor()).isEqualTo(1);
        assertThat(c.node(2).lastIndex()).isEqualTo(2);
        c.settle();
        c.tickAll(6);
        assertThat(c.appliedCommands(2)).containsExactly(bytes("x"));
    }

    // ------------------------------------------------------------------ leader

    @Test
    void leaderReplicatesAndCommitsOnMajority() {
        TestCluster c = new TestCluster(3, 1, 2, 3);
        c.campaign(1);
        c.crash(3);
        Proposal p = c.node(1).propose(bytes("a"));
        assertThat(p.accepted()).isTrue();
        c.settle();
        assertThat(c.node(1).commitIndex()).isEqualTo(p.index());
        assertThat(c.appliedCommands(1)).containsExactly(bytes("a"));
        assertThat(c.node(2).propose(bytes("b")).outcome()).isEqualTo(Proposal.Outcome.NOT_LEADER);
        assertThat(c.node(2).propose(bytes("b")).leaderHint()).isEqualTo(1);
    }

    @Test
    void leaderDoesNotCommitWithoutMajority() {
        TestCluster c = new TestCluster(4, 1, 2, 3);
        c.campaign(1);
        c.crash(2);
        c.crash(3);
        c.node(1).propose(bytes("a"));
        c.settle();
        assertThat(c.node(1).commitIndex()).isEqualTo(1);
    }

    @Test
    void inflightWindowBoundsAppendsToASilentFollower() {
        Membership m = Membership.voters(1, 2);
        RaftNode n = RaftNode.create(RaftOptions.builder(1, m).maxInflight(3).maxEntriesPerMessage(1)
                .random(RandomSource.seeded(1)).build(), PersistedState.EMPTY);
        while (!n.isLeader()) {
            n.tick();
            drain(n);
            if (n.role() == RaftNode.Role.PRE_CANDIDATE) {
                n.step(new VoteResponse(2, 1, 1, true, true));
            }
            if (n.role() == RaftNode.Role.CANDIDATE) {
                n.step(new VoteResponse(2, 1, 1, false, true));
            }
        }
        drain(n);
        n.step(new AppendResponse(2, 1, 1, false, 1, 0, 0));
        drain(n);
        int appends = 0;
        for (int i = 0; i < 10; i++) {
            n.propose(bytes("p" + i));
            appends += (int) drain(n).stream().filter(x -> x instanceof AppendEntries a && !a.entries().isEmpty()).count();
        }
        assertThat(appends).isEqualTo(3);
    }

    @Test
    void checkQuorumDeposesAnIsolatedLeader() {
        TestCluster c = new TestCluster(5, 1, 2, 3);
        c.campaign(1);
        c.isolate(1);
        for (int i = 0; i < 40; i++) {
            c.tick(1);
            c.settle();
        }
        assertThat(c.node(1).role()).isEqualTo(RaftNode.Role.FOLLOWER);
    }

    @Test
    void preVoteKeepsAPartitionedNodeFromDisruptingOnReturn() {
        TestCluster c = new TestCluster(6, 1, 2, 3);
        c.campaign(1);
        long term = c.node(1).currentTerm();
        c.isolate(3);
        for (int i = 0; i < 200; i++) {
            c.tickAll(1);
        }
        assertThat(c.node(3).currentTerm()).as("pre-vote never raises the term").isEqualTo(term);
        c.heal();
        c.tickAll(10);
        assertThat(c.leader()).isEqualTo(1);
        assertThat(c.node(1).currentTerm()).isEqualTo(term);
    }

    @Test
    void newLeaderElectedAfterLeaderCrash() {
        TestCluster c = new TestCluster(7, 1, 2, 3);
        c.campaign(1);
        c.node(1).propose(bytes("a"));
        c.settle();
        c.crash(1);
        c.tickAll(80);
        long leader = c.leader();
        assertThat(leader).isIn(2L, 3L);
        assertThat(c.node(leader).propose(bytes("b")).accepted()).isTrue();
        c.settle();
        assertThat(c.appliedCommands(2)).containsExactly(bytes("a"), bytes("b"));
        assertThat(c.appliedCommands(3)).containsExactly(bytes("a"), bytes("b"));
    }

    @Test
    void membershipChangesAreValidated() {
        TestCluster c = new TestCluster(8, 1, 2, 3);
        c.campaign(1);
        RaftNode l = c.node(1);
        assertThatThrownBy(() -> l.proposeMembership(new MembershipChange(MembershipChange.Type.ADD_LEARNER, 2, "")))
                .hasMessageContaining("already in the configuration");
        assertThatThrownBy(() -> l.proposeMembership(new MembershipChange(MembershipChange.Type.PROMOTE, 9, "")))
                .hasMessageContaining("add it as a learner first");
        assertThatThrownBy(() -> l.proposeMembership(new MembershipChange(MembershipChange.Type.ADD_OBSERVER, 9, "")))
                .hasMessageContaining("ADD_LEARNER");
    }

    @Test
    void optionsRejectNonsenseWithTheField() {
        Membership m = Membership.voters(1);
        assertThatThrownBy(() -> RaftOptions.builder(1, m).electionTicks(10, 5).build())
                .hasMessageContaining("electionTicks");
        assertThatThrownBy(() -> RaftOptions.builder(1, m).heartbeatTicks(20).build())
                .hasMessageContaining("heartbeatTicks");
        assertThatThrownBy(() -> RaftOptions.builder(0, m).build()).hasMessageContaining("id");
        assertThat(RaftOptions.builder(1, m).mutants(Set.of(RaftMutant.READ_WITHOUT_QUORUM)).build()
                .hasMutant(RaftMutant.READ_WITHOUT_QUORUM)).isTrue();
    }

    @Test
    void defaultsAreTheSeedsTimingWithPreVoteAndCheckQuorum() {
        RaftOptions o = RaftOptions.builder(1, Membership.voters(1)).build();
        assertThat(o.electionTicksMin()).isEqualTo(15);
        assertThat(o.electionTicksMax()).isEqualTo(30);
        assertThat(o.heartbeatTicks()).isEqualTo(5);
        assertThat(o.preVote()).isTrue();
        assertThat(o.checkQuorum()).isTrue();
        assertThat(o.mutants()).isEmpty();
    }

    @Test
    void electionTimeoutIsRandomizedWithinBounds() {
        for (long seed = 1; seed <= 50; seed++) {
            RaftNode n = RaftNode.create(RaftOptions.builder(1, Membership.voters(1, 2, 3)).electionTicks(15, 30)
                    .preVote(false).random(RandomSource.seeded(seed)).build(), PersistedState.EMPTY);
            int ticks = 0;
            while (n.role() == RaftNode.Role.FOLLOWER) {
                n.tick();
                ticks++;
            }
            assertThat(ticks).isBetween(15, 30);
            assertThat(n.role()).as("PreVote off: straight to candidate").isEqualTo(RaftNode.Role.CANDIDATE);
        }
    }

    @Test
    void learnerNeverCampaignsEvenWhenTold() {
        Membership m = Membership.of(List.of(new dev.ballot.engine.Member(1, dev.ballot.engine.MemberKind.VOTER, ""),
                new dev.ballot.engine.Member(2, dev.ballot.engine.MemberKind.LEARNER, "")));
        RaftNode learner = RaftNode.create(RaftOptions.builder(2, m).random(RandomSource.seeded(2)).build(),
                PersistedState.EMPTY);
        for (int i = 0; i < 200; i++) {
            learner.tick();
        }
        learner.step(new RaftMessage.TimeoutNow(1, 2, 0));
        assertThat(learner.role()).isEqualTo(RaftNode.Role.FOLLOWER);
        assertThat(learner.hasReady()).isFalse();
        assertThat(learner.status().role()).isEqualTo("learner");
    }

    @Test
    void learnerForgetsALeaderItStopsHearingFrom() {
        Membership m = Membership.of(List.of(new dev.ballot.engine.Member(1, dev.ballot.engine.MemberKind.VOTER, ""),
                new dev.ballot.engine.Member(2, dev.ballot.engine.MemberKind.LEARNER, "")));
        RaftOptions opts = RaftOptions.builder(2, m).random(RandomSource.seeded(2)).build();
        RaftNode learner = RaftNode.create(opts, PersistedState.EMPTY);
        learner.step(new Heartbeat(1, 2, 3, 0, 0));
        drain(learner);
        for (int i = 0; i < opts.electionTicksMax() - 1; i++) {
            learner.tick();
        }
        assertThat(learner.leaderId()).isEqualTo(1);
        learner.tick();
        assertThat(learner.leaderId()).as("silent for a whole maximum election timeout").isZero();
        assertThat(learner.role()).isEqualTo(RaftNode.Role.FOLLOWER);
    }

    @Test
    void advanceNeedsTheLatestReady() {
        RaftNode n = node(1, PersistedState.EMPTY, 1, 2, 3);
        n.step(new RequestVote(2, 1, 4, 0, 0, false, false));
        Ready first = n.ready();
        n.ready();
        assertThatThrownBy(() -> n.advance(first)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("most recently");
    }

    @Test
    void statusUsesWireNames() {
        TestCluster c = new TestCluster(9, 1, 2, 3);
        c.campaign(1);
        assertThat(c.node(1).status().role()).isEqualTo("leader");
        assertThat(c.node(1).status().isLeader()).isTrue();
        assertThat(c.node(2).status().role()).isEqualTo("follower");
        assertThat(c.node(1).status().members()).hasSize(3)
                .allSatisfy(mp -> assertThat(mp.matchIndex()).isEqualTo(1));
    }
}
