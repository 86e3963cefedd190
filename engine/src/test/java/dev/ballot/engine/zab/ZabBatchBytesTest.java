package dev.ballot.engine.zab;

import dev.ballot.engine.EntryBatch;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A returning follower is synced through NEWLEADER and PROPOSAL batches of at most maxBatchBytes. */
class ZabBatchBytesTest {
    private static final String VALUE = "x".repeat(100 << 10);

    @Test
    void aReturningFollowerIsSyncedInBatchesOfAtMostOneMebibyte() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3));
        long leader = c.awaitLeader(200);
        long lagging = leader == 3 ? 2 : 3;
        c.crash(lagging);
        for (int i = 0; i < 40; i++) {
            assertThat(c.node(leader).propose(ZabTestCluster.put(i + 1, "k" + i, VALUE + i)).accepted()).isTrue();
        }
        c.runUntil(() -> c.value(leader, "k39") != null, 50);
        List<List<LogEntry>> batches = new ArrayList<>();
        c.drop = m -> {
            if (m.to() == lagging) {
                if (m instanceof ZabMessage.NewLeader nl) {
                    batches.add(nl.entries());
                } else if (m instanceof ZabMessage.Propose p) {
                    batches.add(p.entries());
                }
            }
            return false;
        };
        c.start(lagging);

        assertThat(c.runUntil(() -> (VALUE + 39).equals(c.value(lagging, "k39")), 200))
                .as("the returning follower applied the last write").isTrue();
        for (int i = 0; i < 40; i++) {
            assertThat(c.value(lagging, "k" + i)).isEqualTo(VALUE + i);
        }
        assertThat(batches).isNotEmpty().allSatisfy(b -> assertThat(b.stream().mapToLong(EntryBatch::size).sum())
                .as("bytes of one sync or proposal batch").isLessThanOrEqualTo(EntryBatch.DEFAULT_MAX_BYTES));
        assertThat(batches.stream().mapToInt(List::size).max().orElseThrow())
                .as("100 KiB values: ten to a batch").isEqualTo(10);
    }

    @Test
    void theNextBatchFollowsTheAckOfACutOneWithoutWaitingForAPing() {
        ZabTestCluster c = new ZabTestCluster(Membership.voters(1, 2, 3), b -> b.maxBatchBytes(EntryBatch.ENTRY_OVERHEAD));
        long leader = c.awaitLeader(200);
        long lagging = leader == 3 ? 2 : 3;
        c.crash(lagging);
        for (int i = 0; i < 30; i++) {
            c.node(leader).propose(ZabTestCluster.put(i + 1, "k" + i, "v" + i));
        }
        c.runUntil(() -> c.value(leader, "k29") != null, 50);
        c.drop = m -> m instanceof ZabMessage.Ping || m instanceof ZabMessage.PingAck;
        c.start(lagging);
        // One entry per batch: without the ACK-driven catch-up this would take one ping per entry, and pings are off.
        assertThat(c.runUntil(() -> "v29".equals(c.value(lagging, "k29")), 60)).isTrue();
    }
}
