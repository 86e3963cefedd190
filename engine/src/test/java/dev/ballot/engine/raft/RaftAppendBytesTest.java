package dev.ballot.engine.raft;

import dev.ballot.engine.EntryBatch;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A lagging follower catches up through appends of at most maxBytesPerMessage (etcd's MaxSizePerMsg). */
class RaftAppendBytesTest {
    private static final int VALUE = 100 << 10;

    @Test
    void aLaggingFollowerGetsAppendsOfAtMostOneMebibyte() {
        TestCluster c = new TestCluster(7, 1, 2, 3);
        c.campaign(1);
        c.crash(3);
        for (int i = 0; i < 40; i++) {
            byte[] v = new byte[VALUE];
            v[0] = (byte) i;
            assertThat(c.node(1).propose(v).accepted()).isTrue();
        }
        c.settle();
        List<RaftMessage.AppendEntries> toThree = new ArrayList<>();
        c.dropIf = m -> {
            if (m instanceof RaftMessage.AppendEntries a && a.to() == 3 && !a.entries().isEmpty()) {
                toThree.add(a);
            }
            return false;
        };
        c.restart(3);
        c.tickAll(20);

        assertThat(c.appliedCommands(3)).hasSize(40);
        assertThat(c.node(3).appliedIndex()).isEqualTo(c.node(1).appliedIndex());
        assertThat(toThree).isNotEmpty().allSatisfy(a -> assertThat(bytes(a.entries()))
                .as("bytes of an append to the lagging follower").isLessThanOrEqualTo(EntryBatch.DEFAULT_MAX_BYTES));
        // 100 KiB values: ten to a batch (not the 64 entries maxEntriesPerMessage allows)
        assertThat(toThree.stream().mapToInt(a -> a.entries().size()).max().orElseThrow()).isEqualTo(10);
    }

    @Test
    void anEntryLargerThanTheCapStillTravelsAlone() {
        TestCluster c = new TestCluster(8, 1, 2, 3);
        c.campaign(1);
        List<Message> appends = new ArrayList<>();
        c.dropIf = m -> {
            if (m instanceof RaftMessage.AppendEntries a && !a.entries().isEmpty()) {
                appends.add(a);
            }
            return false;
        };
        byte[] big = new byte[(int) EntryBatch.DEFAULT_MAX_BYTES * 2];
        c.node(1).propose(big);
        c.node(1).propose(new byte[10]);
        c.settle();
        assertThat(c.appliedCommands(2)).hasSize(2);
        assertThat(c.appliedCommands(3)).hasSize(2);
    }

    private static long bytes(List<LogEntry> entries) {
        return entries.stream().mapToLong(EntryBatch::size).sum();
    }
}
