package dev.ballot.nemesis;

import dev.ballot.nemesis.History.Op;
import dev.ballot.nemesis.RegisterChecker.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RegisterCheckerTest {
    private static final long U = Long.MAX_VALUE;

    private static Op write(int p, String v, long inv, long done) {
        return new Op(p, "write", "k", null, v, null, null, inv, done, done == U ? "info" : "ok", null);
    }

    private static Op read(int p, String v, long inv, long done) {
        return new Op(p, "read", "k", null, v, null, null, inv, done, "ok", null);
    }

    private static Op cas(int p, String expect, String v, boolean matched, String found, long inv, long done) {
        return new Op(p, "cas", "k", expect, v, matched, found, inv, done, "ok", null);
    }

    @Test
    void sequentialAndConcurrentHistoriesThatHaveALinearizationPass() {
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, 10), read(1, "a", 20, 30), read(1, null, -5, 1)))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
        // Concurrent write and read: the read may see either value.
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, 10), write(1, "b", 5, 50), read(2, "a", 20, 30)))
                .verdict()).isEqualTo(Verdict.LINEARIZABLE);
        // A CAS that matched, and one that failed and saw the current value.
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, 10), cas(1, "a", "b", true, null, 20, 30),
                cas(2, "a", "c", false, "b", 40, 50), read(0, "b", 60, 70))).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void aStaleReadIsCaught() {
        RegisterChecker.Result r = RegisterChecker.check(List.of(write(0, "a", 0, 10), write(0, "b", 20, 30),
                read(1, "a", 40, 50)));
        assertThat(r.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
        assertThat(r.detail()).contains("key 'k'").contains("read -> a");
    }

    @Test
    void aLostAcknowledgedWriteIsCaughtAndAnUnknownOneMayTakeEffectLate() {
        // Acknowledged, then a later read sees the older state: lost.
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, 10), read(1, null, 20, 30))).verdict())
                .isEqualTo(Verdict.NOT_LINEARIZABLE);
        // Outcome unknown: it may have happened after the first read, or never.
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, U), read(1, null, 20, 30), read(1, "a", 40, 50))).verdict())
                .isEqualTo(Verdict.LINEARIZABLE);
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, U), read(1, null, 20, 30))).verdict())
                .isEqualTo(Verdict.LINEARIZABLE);
        // But not before it was invoked.
        assertThat(RegisterChecker.check(List.of(read(1, "a", 0, 10), write(0, "a", 20, U))).verdict())
                .isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aCasThatClaimsToMatchAValueThatWasNotThereIsCaught() {
        assertThat(RegisterChecker.check(List.of(write(0, "a", 0, 10), cas(1, "z", "b", true, null, 20, 30))).verdict())
                .isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aSearchOverItsBudgetIsUnknownNeverAPass() {
        // 20 writes in doubt, all concurrent, each read once in turn, then v0 again: impossible (each write happens
        // once), but proving it means trying the subsets of writes that may have happened before each read.
        List<Op> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(write(i, "v" + i, i, U));
        }
        for (int i = 0; i < 20; i++) {
            many.add(read(99, "v" + i, 1000 + 10L * i, 1005 + 10L * i));
        }
        many.add(read(99, "v0", 2000, 2010));
        RegisterChecker.Result r = RegisterChecker.check(many, 1000);
        assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(r.detail()).contains("ran out of its budget");
        // Small enough, the same shape is decided.
        assertThat(RegisterChecker.check(List.of(write(0, "v0", 0, U), write(1, "v1", 1, U), read(9, "v0", 10, 11),
                read(9, "v1", 20, 21), read(9, "v0", 30, 31))).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }

    @Test
    void aLongRunsHistoryIsCheckedWithoutRunningOutOfStack() {
        // A 240 s run recorded 62 498 operations; the search recurses once per operation of a key.
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            ops.add(write(0, "v" + i, 100L * i, 100L * i + 10));
            ops.add(read(1, "v" + i, 100L * i + 20, 100L * i + 30));
        }
        assertThat(RegisterChecker.check(ops).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    }

    @Test
    void unknownWritesNobodyObservedAreLeftOut() {
        List<Op> ops = List.of(write(0, "seen", 0, U), write(1, "unseen", 0, U), read(2, "seen", 10, 20));
        assertThat(RegisterChecker.withoutUnobservedUnknowns(ops)).containsExactly(ops.get(0), ops.get(2));
    }

    @Test
    void aHistoryRoundTripsThroughItsFile(@TempDir Path dir) throws Exception {
        History h = new History();
        h.add(write(0, "a", 0, 10));
        h.add(cas(1, null, "b", false, "a", 20, 30));
        h.add(write(2, "c", 5, U));
        h.write(dir.resolve("history.jsonl"));
        assertThat(History.read(dir.resolve("history.jsonl"))).isEqualTo(h.ops());
    }
}
