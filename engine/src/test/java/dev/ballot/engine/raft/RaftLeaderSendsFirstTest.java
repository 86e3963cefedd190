package dev.ballot.engine.raft;

import dev.ballot.engine.Message;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A leader's appends may leave before its own disk write; its own copy counts only once durable. */
class RaftLeaderSendsFirstTest {
    private static TestCluster clusterLedBy1() {
        TestCluster c = new TestCluster(3, 1, 2, 3);
        c.campaign(1);
        assertThat(c.leader()).isEqualTo(1);
        return c;
    }

    @Test
    void theLeadersOwnUnsyncedCopyDoesNotCountTowardTheQuorum() {
        TestCluster c = clusterLedBy1();
        RaftNode leader = c.node(1);
        Proposal p = leader.propose("w".getBytes(StandardCharsets.UTF_8));
        Ready r = leader.ready();
        assertThat(r.messagesFirst()).isTrue();
        assertThat(r.entries()).isNotEmpty();

        for (Message m : r.messages()) {
            if (m instanceof AppendEntries && m.to() == 2) {
                c.deliver(m); // node 3 never gets it
            }
        }
        c.processReady(2);
        Message ack = c.inFlight.poll();
        assertThat(ack).isNotNull();
        leader.step(ack);
        assertThat(leader.commitIndex()).as("1 of 3 durable copies is no quorum").isLessThan(p.index());

        leader.advance(r);
        assertThat(leader.commitIndex()).as("its own write is durable now: 2 of 3").isEqualTo(p.index());
    }

    @Test
    void candidatesAndFollowersSendOnlyAfterTheirWriteIsDurable() {
        TestCluster c = new TestCluster(3, 1, 2, 3);
        RaftNode n = c.node(1);
        while (n.role() != RaftNode.Role.PRE_CANDIDATE) {
            n.tick();
        }
        assertThat(n.ready().messagesFirst()).as("a pre-candidate's requests").isFalse();
        c.settle();
        assertThat(c.leader()).isEqualTo(1);

        c.node(1).propose("x".getBytes(StandardCharsets.UTF_8));
        Ready fromLeader = c.node(1).ready();
        fromLeader.messages().stream().filter(m -> m.to() == 2).forEach(c::deliver);
        Ready follower = c.node(2).ready();
        assertThat(follower.entries()).isNotEmpty();
        assertThat(follower.messages()).isNotEmpty();
        assertThat(follower.messagesFirst()).as("its ack promises the entries are durable").isFalse();
    }
}
