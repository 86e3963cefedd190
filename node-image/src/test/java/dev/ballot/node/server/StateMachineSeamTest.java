package dev.ballot.node.server;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.PersistedState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The runtime drives any {@link ReplicatedStateMachine}: typed results, leader timers, reads at an index. */
class StateMachineSeamTest {
    /** Adds numbers; on the leader, a timer proposes 1000 once per term (as a lease expiry would propose a revoke). */
    static final class Counter implements ReplicatedStateMachine<long[]> {
        long total;
        final List<Long> termsTimed = new ArrayList<>();

        static byte[] add(long requestId, long amount) {
            return ByteBuffer.allocate(16).putLong(requestId).putLong(amount).array();
        }

        @Override
        public long[] apply(LogEntry entry) {
            if (entry.type() != EntryType.COMMAND) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(entry.data());
            long id = b.getLong();
            total += b.getLong();
            return new long[] {id, total};
        }

        @Override
        public String kind() {
            return "counter";
        }

        @Override
        public long requestId(long[] result) {
            return result[0];
        }

        @Override
        public byte[] snapshot() {
            return ByteBuffer.allocate(8).putLong(total).array();
        }

        @Override
        public void restore(byte[] snapshot) {
            total = snapshot.length == 0 ? 0 : ByteBuffer.wrap(snapshot).getLong();
        }

        @Override
        public void onTick(Driver driver) {
            if (driver.isLeader() && !termsTimed.contains(driver.term()) && driver.propose(add(driver.newRequestId(), 1000))) {
                termsTimed.add(driver.term());
            }
        }
    }

    private final List<NodeRuntime<?, ?>> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(NodeRuntime::close);
    }

    @Test
    void aPluggedMachineGetsTypedResultsLeaderTimerProposalsAndReadsAtAnIndex() throws Exception {
        FakeConsensusNode node = FakeConsensusNode.singleLeader();
        NodeRuntime<Counter, long[]> rt = new NodeRuntime<>(new Counter(), node, PersistedState.EMPTY,
                node.membership(), new RecordingStorage(), m -> true, new NodeRuntime.Options(Duration.ofMillis(10), 0)).start();
        started.add(rt);

        await().atMost(Duration.ofSeconds(5)).until(() -> rt.readLocal(c -> c.total).get() == 1000);
        long id = rt.newRequestId();
        long[] result = rt.propose(id, Counter.add(id, 5)).get(5, TimeUnit.SECONDS);
        assertThat(result).containsExactly(id, 1005);

        long applied = rt.readLocal(c -> rt.appliedIndex()).get(5, TimeUnit.SECONDS);
        assertThat(rt.readAtIndex(applied, c -> c.total).get(5, TimeUnit.SECONDS)).isEqualTo(1005);
        node.commitImmediately = false;
        CompletableFuture<Long> later = rt.readAtIndex(applied + 1, c -> c.total);
        long id2 = rt.newRequestId();
        rt.propose(id2, Counter.add(id2, 1));
        // One round trip through the driver: the proposal was appended, not committed; the read still waits.
        assertThat(rt.readLocal(c -> c.total).get(5, TimeUnit.SECONDS)).isEqualTo(1005);
        assertThat(later).isNotDone();
        node.onDriver(() -> node.commitUpTo(applied + 1)).get(5, TimeUnit.SECONDS);
        assertThat(later.get(5, TimeUnit.SECONDS)).isEqualTo(1006);
        assertThat(rt.readLocal(c -> c.termsTimed).get(5, TimeUnit.SECONDS)).containsExactly(1L);
    }
}
