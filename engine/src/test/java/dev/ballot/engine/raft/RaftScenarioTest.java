package dev.ballot.engine.raft;

import dev.ballot.engine.MemberKind;
import dev.ballot.engine.MembershipChange;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole-cluster scripts in the spirit of etcd-io/raft's testdata: each feature end to end. */
class RaftScenarioTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static MembershipChange change(MembershipChange.Type type, long id) {
        return new MembershipChange(type, id, "node-" + id + ":2380");
    }

    // ------------------------------------------------------------------ PreVote + CheckQuorum

    @Test
    void preVoteAndCheckQuorumTogether() {
        TestCluster c = new TestCluster(11, 1, 2, 3);
        c.campaign(1);
        long term = c.node(1).currentTerm();
        // The leader is cut off: CheckQuorum deposes it, the majority elects a new leader in a higher term.
        c.isolate(1);
        c.tickAll(100);
        assertThat(c.node(1).isLeader()).isFalse();
        long leader = c.leader();
        assertThat(leader).isIn(2L, 3L);
        assertThat(c.node(leader).currentTerm()).isGreaterThan(term);
        // Pre-votes kept the old leader's term from running away while it was alone.
        assertThat(c.node(1).currentTerm()).isEqualTo(term);
        c.heal();
        c.tickAll(10);
        assertThat(c.leader()).isEqualTo(leader);
        assertThat(c.node(1).currentTerm()).isEqualTo(c.node(leader).currentTerm());
        assertThat(c.node(1).leaderId()).isEqualTo(leader);
    }

    @Test
    void aFollowerThatOnlyLostTheLeaderCannotWinAgainstALiveLease() {
        TestCluster c = new TestCluster(12, 1, 2, 3);
        c.campaign(1);
        long term = c.node(1).currentTerm();
        // 3 hears nobody, but 2 still hears the leader: 2 refuses 3's pre-vote, the leader stays.
        c.cut.add("1>3");
        c.tickAll(120);
        assertThat(c.leader()).isEqualTo(1);
        assertThat(c.node(1).currentTerm()).isEqualTo(term);
    }

    // ------------------------------------------------------------------ leadership transfer

    @Test
    void transferToANamedFollower() {
        TestCluster c = new TestCluster(13, 1, 2, 3);
        c.campaign(1);
        long term = c.node(1).currentTerm();
        assertThat(c.node(1).transferLeadership(3)).isTrue();
        c.settle();
        assertThat(c.leader()).isEqualTo(3);
        assertThat(c.node(3).currentTerm()).isEqualTo(term + 1);
        assertThat(c.node(1).role()).isEqualTo(RaftNode.Role.FOLLOWER);
    }

    @Test
    void transferCatchesALaggingTargetUpFirstAndRefusesProposalsMeanwhile() {
        TestCluster c = new TestCluster(14, 1, 2, 3);
        c.campaign(1);
        c.crash(3);
        for (int i = 0; i < 5; i++) {
            c.node(1).propose(bytes("w" + i));
        }
        c.settle();
        c.restart(3);
        // Hold 3's traffic so the transfer must wait for it.
        c.dropIf = m -> m.to() == 3 || m.from() == 3;
        assertThat(c.node(1).transferLeadership(3)).isTrue();
        c.settle();
        assertThat(c.node(1).propose(bytes("late")).outcome()).isEqualTo(Proposal.Outcome.BUSY);
        c.dropIf = m -> false;
        c.tickAll(6);
        assertThat(c.leader()).isEqualTo(3);
        assertThat(c.node(3).lastIndex()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void transferWithoutTargetPicksTheMostCaughtUpVoter() {
        TestCluster c = new TestCluster(15, 1, 2, 3);
        c.campaign(1);
        c.crash(2);
        c.node(1).propose(bytes("a"));
        c.settle();
        assertThat(c.node(1).transferLeadership(0)).isTrue();
        assertThat(c.node(1).transferee()).isEqualTo(3);
    }

    @Test
    void transferToADeadTargetIsAbandonedAfterAnElectionTimeout() {
        TestCluster c = new TestCluster(16, 1, 2, 3);
        c.campaign(1);
        c.crash(3);
        assertThat(c.node(1).transferLeadership(3)).isTrue();
        c.tickAll(31);
        assertThat(c.node(1).transferee()).isZero();
        assertThat(c.node(1).isLeader()).isTrue();
        assertThat(c.node(1).propose(bytes("x")).accepted()).isTrue();
    }

    // ------------------------------------------------------------------ ReadIndex

    @Test
    void readIndexNeedsAQuorumHeartbeatRound() {
        TestCluster c = new TestCluster(17, 1, 2, 3);
        c.campaign(1);
        c.node(1).propose(bytes("a"));
        c.settle();
        assertThat(c.node(2).requestRead(7)).isFalse();
        c.crash(2);
        c.crash(3);
        assertThat(c.node(1).requestRead(8)).isTrue();
        c.settle();
        assertThat(c.reads.get(1L)).as("no quorum, no answer").isEmpty();
        c.restart(2);
        c.tickAll(5);
        assertThat(c.reads.get(1L)).containsExactly(new ReadState(8, 2));
    }

    @Test
    void aNewLeaderDefersReadsUntilItCommitsInItsTerm() {
        TestCluster c = new TestCluster(18, 1, 2, 3);
        // Nothing with entries gets through: the new leader's NOOP cannot commit.
        c.dropIf = m -> m instanceof AppendEntries a && !a.entries().isEmpty();
        c.campaign(1);
        assertThat(c.node(1).isLeader()).isTrue();
        assertThat(c.node(1).commitIndex()).isZero();
        assertThat(c.node(1).requestRead(5)).isTrue();
        c.tickAll(12);
        assertThat(c.reads.get(1L)).as("no entry of its term committed yet").isEmpty();
        c.dropIf = m -> false;
        c.tickAll(12);
        assertThat(c.node(1).commitIndex()).isEqualTo(1);
        assertThat(c.reads.get(1L)).containsExactly(new ReadState(5, 1));
    }

    @Test
    void aSingleVoterAnswersReadsAtOnce() {
        TestCluster c = new TestCluster(19, 1);
        c.campaign(1);
        c.settle();
        assertThat(c.node(1).isLeader()).isTrue();
        assertThat(c.node(1).requestRead(3)).isTrue();
        c.settle();
        assertThat(c.reads.get(1L)).containsExactly(new ReadState(3, 1));
    }

    // ------------------------------------------------------------------ learners and membership

    @Test
    void learnerCatchesUpWithoutVotingThenIsPromoted() {
        TestCluster c = new TestCluster(20, 1, 2, 3);
        c.campaign(1);
        c.node(1).propose(bytes("a"));
        c.settle();
        c.start(4, PersistedState.EMPTY);
        Proposal add = c.node(1).proposeMembership(change(MembershipChange.Type.ADD_LEARNER, 4));
        assertThat(add.accepted()).isTrue();
        assertThat(c.node(1).proposeMembership(change(MembershipChange.Type.PROMOTE, 4)).outcome())
                .as("one change at a time").isEqualTo(Proposal.Outcome.BUSY);
        c.settle();
        c.tickAll(3);
        assertThat(c.appliedCommands(4)).containsExactly(bytes("a"));
        assertThat(c.node(4).status().role()).isEqualTo("learner");
        assertThat(c.node(1).membership().member(4).orElseThrow().kind()).isEqualTo(MemberKind.LEARNER);
        // A learner never campaigns.
        c.isolate(4);
        for (int i = 0; i < 100; i++) {
            c.tick(4);
        }
        assertThat(c.node(4).role()).isEqualTo(RaftNode.Role.FOLLOWER);
        c.heal();
        // With two voters down the learner is no quorum.
        c.crash(2);
        c.crash(3);
        c.node(1).propose(bytes("b"));
        c.settle();
        assertThat(c.appliedCommands(1)).containsExactly(bytes("a"));
        c.restart(2);
        c.settle();
        c.tickAll(3);
        assertThat(c.node(1).proposeMembership(change(MembershipChange.Type.PROMOTE, 4)).accepted()).isTrue();
        c.settle();
        c.tickAll(3);
        assertThat(c.node(4).membership().isVoter(4)).isTrue();
        assertThat(c.node(1).membership().voterIds()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(c.node(4).status().role()).isEqualTo("follower");
    }

    @Test
    void configurationTakesEffectWhenAppendedAndRevertsIfTruncated() {
        TestCluster c = new TestCluster(21, 1, 2, 3);
        c.campaign(1);
        c.isolate(1);
        c.node(1).proposeMembership(change(MembershipChange.Type.REMOVE, 3));
        assertThat(c.node(1).membership().voterIds()).as("in force once appended").containsExactly(1L, 2L);
        c.settle();
        c.tickAll(100);
        long leader = c.leader();
        assertThat(leader).isIn(2L, 3L);
        c.node(leader).propose(bytes("new era"));
        c.heal();
        c.tickAll(10);
        assertThat(c.node(1).membership().voterIds()).as("the uncommitted change was overwritten")
                .containsExactly(1L, 2L, 3L);
    }

    @Test
    void removedLeaderStepsDownOnceTheChangeCommits() {
        TestCluster c = new TestCluster(22, 1, 2, 3);
        c.campaign(1);
        assertThat(c.node(1).proposeMembership(change(MembershipChange.Type.REMOVE, 1)).accepted()).isTrue();
        c.settle();
        c.tickAll(2);
        assertThat(c.node(1).isLeader()).isFalse();
        c.tickAll(100);
        long leader = c.leader();
        assertThat(leader).isIn(2L, 3L);
        assertThat(c.node(leader).membership().voterIds()).containsExactly(2L, 3L);
        assertThat(c.node(1).role()).isEqualTo(RaftNode.Role.FOLLOWER);
    }

    // ------------------------------------------------------------------ snapshots

    @Test
    void laggingFollowerGetsASnapshotThenEntries() {
        TestCluster c = new TestCluster(23, 1, 2, 3);
        c.campaign(1);
        c.crash(3);
        for (int i = 0; i < 10; i++) {
            c.node(1).propose(bytes("w" + i));
        }
        c.settle();
        c.compact(1);
        long snapIndex = c.node(1).snapshotIndex();
        assertThat(snapIndex).isEqualTo(11);
        List<Long> snapshotsTo = new ArrayList<>();
        c.dropIf = m -> {
            if (m instanceof InstallSnapshot s) {
                snapshotsTo.add(s.to());
            }
            return false;
        };
        c.restart(3);
        c.tickAll(6);
        assertThat(snapshotsTo).contains(3L);
        assertThat(c.disks.get(3L).snapshot).isNotNull();
        assertThat(c.disks.get(3L).snapshot.index()).isEqualTo(snapIndex);
        assertThat(c.node(3).snapshotIndex()).isEqualTo(snapIndex);
        c.node(1).propose(bytes("after"));
        c.settle();
        c.tickAll(6);
        assertThat(c.appliedCommands(3)).containsExactly(bytes("after"));
        assertThat(c.node(3).commitIndex()).isEqualTo(c.node(1).commitIndex());
    }

    @Test
    void newLearnerJoinsFromASnapshotAndRestartsFromDisk() {
        TestCluster c = new TestCluster(24, 1, 2, 3);
        c.campaign(1);
        for (int i = 0; i < 4; i++) {
            c.node(1).propose(bytes("w" + i));
        }
        c.settle();
        c.compact(1);
        c.start(4, PersistedState.EMPTY);
        c.node(1).proposeMembership(change(MembershipChange.Type.ADD_LEARNER, 4));
        c.settle();
        c.tickAll(6);
        assertThat(c.node(4).snapshotIndex()).isEqualTo(5);
        assertThat(c.node(4).membership().contains(4)).isTrue();
        c.crash(4);
        c.restart(4);
        assertThat(c.node(4).membership().member(4).orElseThrow().kind()).isEqualTo(MemberKind.LEARNER);
        assertThat(c.node(4).commitIndex()).isEqualTo(c.node(1).commitIndex());
    }
}
