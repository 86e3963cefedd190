package dev.ballot.engine.zab;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Message;
import dev.ballot.engine.Proposal;
import dev.ballot.engine.ReadState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ZabBroadcastTest {

    @Test
    void proposalsCommitInZxidOrderOnEveryServer() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        List<Long> zxids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Proposal p = c.node(leader).propose(ZabTestCluster.put(i, "k" + (i % 3), "v" + i));
            assertThat(p.accepted()).isTrue();
            assertThat(p.term()).isEqualTo(c.node(leader).currentEpoch());
            assertThat(Zxid.epoch(p.index())).isEqualTo(p.term());
            zxids.add(p.index());
        }
        assertThat(zxids).isSorted().doesNotHaveDuplicates();
        c.runUntil(() -> c.nodes.values().stream().allMatch(n -> n.committedZxid() == zxids.get(19)), 20);
        for (long id : c.nodes.keySet()) {
            List<Long> applied = c.appliedLog.get(id).stream().map(LogEntry::index).toList();
            assertThat(applied).containsSubsequence(zxids).isSorted();
            assertThat(c.value(id, "k1")).isEqualTo("v19");
        }
    }

    @Test
    void nothingCommitsWithoutAQuorumOfAcks() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        long before = c.node(leader).committedZxid();
        // drop every ACK: the leader logs the proposal but may not commit it
        c.drop = m -> m instanceof ZabMessage.Ack || m instanceof ZabMessage.PingAck;
        Proposal p = c.node(leader).propose(ZabTestCluster.put(1, "a", "b"));
        c.tick();
        c.tick();
        assertThat(c.node(leader).committedZxid()).isEqualTo(before);
        assertThat(c.value(leader, "a")).isNull();
        c.drop = m -> false;
        c.runUntil(() -> c.node(leader).committedZxid() >= p.index(), 10);
        assertThat(c.value(leader, "a")).isEqualTo("b");
    }

    @Test
    void aFollowerRejectsAProposalThatLeavesAGap() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        // lose the first proposal to follower 1, deliver the second
        boolean[] dropped = {false};
        c.drop = m -> {
            if (!dropped[0] && m instanceof ZabMessage.Propose && m.to() == 1) {
                dropped[0] = true;
                return true;
            }
            return false;
        };
        Proposal first = c.node(leader).propose(ZabTestCluster.put(1, "a", "1"));
        c.drain();
        Proposal second = c.node(leader).propose(ZabTestCluster.put(2, "a", "2"));
        c.drain();
        assertThat(c.node(1).lastZxid()).isLessThan(first.index());
        // the next ping round retransmits from the follower's last zxid
        c.runUntil(() -> c.node(1).lastZxid() == second.index(), 10);
        assertThat(c.node(1).entries().stream().map(LogEntry::index).toList()).contains(first.index(), second.index());
    }

    @Test
    void messagesLeaveOnlyWithTheStateTheyDependOn() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        c.node(leader).propose(ZabTestCluster.put(1, "a", "1"));
        var ready = c.node(leader).ready();
        // the proposal and the entry it carries are in the same batch: persisted before it is sent
        List<Long> sent = ready.messages().stream().filter(m -> m instanceof ZabMessage.Propose)
                .flatMap(m -> ((ZabMessage.Propose) m).entries().stream()).map(LogEntry::index).toList();
        assertThat(ready.entries().stream().map(LogEntry::index).toList()).containsAll(sent);
        assertThat(ready.mustSync()).isTrue();
    }

    @Test
    void readsAreConfirmedByAQuorumRound() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        Proposal p = c.node(leader).propose(ZabTestCluster.put(1, "a", "1"));
        c.runUntil(() -> c.node(leader).committedZxid() >= p.index(), 10);
        long follower = leader == 1 ? 2 : 1;
        assertThat(c.node(follower).requestRead(7)).isFalse();
        c.drop = m -> m instanceof ZabMessage.PingAck;
        assertThat(c.node(leader).requestRead(7)).isTrue();
        c.drain();
        assertThat(c.reads).isEmpty();
        c.drop = m -> false;
        assertThat(c.node(leader).requestRead(8)).isTrue();
        c.drain();
        assertThat(c.reads).extracting(ReadState::requestId).containsExactly(7L, 8L);
        assertThat(c.reads).allSatisfy(r -> assertThat(r.index()).isGreaterThanOrEqualTo(p.index()));
    }

    @Test
    void aStaleLeaderCannotConfirmReads() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        c.isolate(leader);
        assertThat(c.node(leader).requestRead(1)).isTrue();
        c.runUntil(() -> c.node(leader).state() == ServerState.LOOKING, 50);
        assertThat(c.reads).isEmpty();
        assertThat(c.node(leader).requestRead(2)).isFalse();
    }

    @Test
    void aRestartedServerGetsBackEveryCommittedEntry() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        for (int i = 0; i < 5; i++) {
            c.node(leader).propose(ZabTestCluster.put(i, "k", "v" + i));
        }
        c.runUntil(() -> c.node(1).committedZxid() == c.node(leader).lastZxid(), 20);
        long follower = leader == 1 ? 2 : 1;
        c.crash(follower);
        c.start(follower);
        // It replays what its disk knows to be committed (the committed zxid is written only along with
        // proposals, so it may lag) and learns the rest in the leader's sync.
        c.runUntil(() -> "v4".equals(c.value(follower, "k")), 100);
        assertThat(c.value(follower, "k")).isEqualTo("v4");
        assertThat(c.node(follower).currentEpoch()).isEqualTo(c.node(leader).currentEpoch());
    }

    @Test
    void snapshotCatchesUpAServerBehindTheCompactedLog() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        long lagging = leader == 1 ? 2 : 1;
        c.crash(lagging);
        Proposal last = null;
        for (int i = 0; i < 10; i++) {
            last = c.node(leader).propose(ZabTestCluster.put(i, "k" + i, "v" + i));
        }
        Proposal l = last;
        c.runUntil(() -> c.node(leader).status().appliedIndex() >= l.index(), 20);
        c.node(leader).compact(l.index(), c.machines.get(leader).snapshot());
        c.start(lagging);
        c.runUntil(() -> c.node(lagging).committedZxid() >= l.index() && c.value(lagging, "k9") != null, 100);
        assertThat(c.value(lagging, "k0")).isEqualTo("v0");
        assertThat(c.value(lagging, "k9")).isEqualTo("v9");
        assertThat(c.stores.get(lagging).snapshot).isNotNull();
    }

    @Test
    void duplicatedAndReorderedDeliveryKeepsLogsIdentical() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(100);
        List<Message> replay = new ArrayList<>();
        c.drop = m -> {
            replay.add(m);
            return false;
        };
        for (int i = 0; i < 10; i++) {
            c.node(leader).propose(ZabTestCluster.put(i, "k", "v" + i));
            c.drain();
        }
        c.drop = m -> false;
        java.util.Collections.reverse(replay);
        for (Message m : replay) {
            if (c.nodes.containsKey(m.to())) {
                c.node(m.to()).step(m);
            }
        }
        c.runUntil(() -> false, 20);
        List<LogEntry> expected = c.node(leader).entries();
        for (long id : c.nodes.keySet()) {
            assertThat(c.node(id).entries()).isEqualTo(expected);
            assertThat(c.value(id, "k")).isEqualTo("v9");
        }
    }
}
