package dev.ballot.engine.kv;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The keyspace quota, decided in apply so that every replica refuses the same writes (issue 12). */
class KvQuotaTest {
    private long index;

    private KvResult apply(KvStateMachine sm, KvCommand cmd) {
        return sm.apply(new LogEntry(++index, 1, EntryType.COMMAND, cmd.encode()));
    }

    private static byte[] bytes(int n) {
        return new byte[n];
    }

    @Test
    void writesOverTheQuotaAreRefusedReadsAndDeletesWorkAndTheAlarmClearsOnceSpaceIsFreed() {
        KvStateMachine sm = new KvStateMachine(100);
        assertThat(apply(sm, KvCommand.put(1, "a", bytes(49))).succeeded()).isTrue(); // 50 bytes
        assertThat(apply(sm, KvCommand.put(2, "b", bytes(49))).succeeded()).isTrue(); // 100: exactly the quota
        KvResult refused = apply(sm, KvCommand.put(3, "c", bytes(1)));
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.noSpace()).isTrue();
        assertThat(sm.get("c")).as("nothing applied").isEmpty();
        assertThat(sm.noSpaceAlarm()).isTrue();
        assertThat(apply(sm, KvCommand.cas(4, "a", bytes(49), bytes(60))).noSpace()).as("a growing CAS").isTrue();
        assertThat(apply(sm, KvCommand.put(5, "a", bytes(10))).succeeded()).as("a shrinking overwrite").isTrue();
        assertThat(sm.usedBytes()).isEqualTo(61);
        assertThat(apply(sm, KvCommand.put(55, "d", bytes(1))).noSpace()).as("a growing write that would fit: the alarm stands")
                .isTrue();
        assertThat(sm.noSpaceAlarm()).as("under nine tenths only after a delete").isTrue();
        assertThat(sm.get("b")).as("reads work").isPresent();

        byte[] snapshot = sm.snapshot();
        KvStateMachine copy = new KvStateMachine(100);
        copy.restore(snapshot);
        assertThat(copy.usedBytes()).isEqualTo(61);
        assertThat(copy.noSpaceAlarm()).as("the alarm travels in snapshots").isTrue();

        assertThat(apply(sm, KvCommand.delete(6, "b")).succeeded()).isTrue();
        assertThat(sm.usedBytes()).isEqualTo(11);
        assertThat(sm.noSpaceAlarm()).isFalse();
        assertThat(apply(sm, KvCommand.put(7, "c", bytes(1))).succeeded()).isTrue();
    }

    @Test
    void withoutAQuotaNothingIsRefused() {
        KvStateMachine sm = new KvStateMachine();
        assertThat(apply(sm, KvCommand.put(1, "k", bytes(1 << 20))).succeeded()).isTrue();
        assertThat(sm.noSpaceAlarm()).isFalse();
    }
}
