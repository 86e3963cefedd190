package dev.ballot.engine.raft;

import dev.ballot.engine.Message;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proposals and commit advances stepped before one Ready leave as one append per follower: a driver that takes a
 * batch of client writes sends, encodes and has acknowledged one message per follower for the batch.
 */
class RaftAppendBatchingTest {
    private static TestCluster clusterLedBy1() {
        TestCluster c = new TestCluster(3, 1, 2, 3);
        c.campaign(1);
        assertThat(c.leader()).isEqualTo(1);
        return c;
    }

    private static List<AppendEntries> appendsTo(Ready r, long follower) {
        return r.messages().stream().filter(m -> m instanceof AppendEntries && m.to() == follower)
                .map(m -> (AppendEntries) m).toList();
    }

    @Test
    void proposalsSteppedBeforeOneReadyLeaveAsOneAppendPerFollower() {
        TestCluster c = clusterLedBy1();
        RaftNode leader = c.node(1);
        long first = leader.lastIndex() + 1;
        for (int i = 0; i < 8; i++) {
            assertThat(leader.propose(("w" + i).getBytes(StandardCharsets.UTF_8)).accepted()).isTrue();
        }
        Ready r = leader.ready();
        for (long follower : List.of(2L, 3L)) {
            List<AppendEntries> appends = appendsTo(r, follower);
            assertThat(appends).as("appends to %d", follower).hasSize(1);
            assertThat(appends.get(0).entries()).extracting(e -> e.index())
                    .containsExactly(first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7);
        }
        assertThat(r.entries()).hasSize(8);
    }

    @Test
    void severalAcknowledgementsInOneBatchSendTheNewCommitIndexOnce() {
        TestCluster c = clusterLedBy1();
        RaftNode leader = c.node(1);
        Proposal p1 = leader.propose("a".getBytes(StandardCharsets.UTF_8));
        c.processReady(1);
        Proposal p2 = leader.propose("b".getBytes(StandardCharsets.UTF_8));
        c.processReady(1);
        // Both followers take both appends; their four acknowledgements reach the leader in one batch.
        List<Message> toFollowers = List.copyOf(c.inFlight);
        c.inFlight.clear();
        toFollowers.forEach(c::deliver);
        c.processReady(2);
        c.processReady(3);
        List<Message> acks = List.copyOf(c.inFlight);
        c.inFlight.clear();
        assertThat(acks).filteredOn(m -> m instanceof AppendResponse).hasSize(4);
        acks.forEach(leader::step);
        assertThat(leader.commitIndex()).isEqualTo(p2.index());

        Ready r = leader.ready();
        for (long follower : List.of(2L, 3L)) {
            List<AppendEntries> appends = appendsTo(r, follower);
            assertThat(appends).as("commit-index appends to %d", follower).hasSize(1);
            assertThat(appends.get(0).commit()).isEqualTo(p2.index());
        }
        assertThat(r.committed()).extracting(e -> e.index()).contains(p1.index(), p2.index());
    }
}
