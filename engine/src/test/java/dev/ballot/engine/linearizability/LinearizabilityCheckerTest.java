package dev.ballot.engine.linearizability;

import dev.ballot.engine.linearizability.KvOp.Status;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ballot.engine.linearizability.KvOp.NEVER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinearizabilityCheckerTest {
    private static KvOp w(String value, long invoke, long response) {
        return KvOp.write(1, "x", value, response == NEVER ? Status.INFO : Status.OK, invoke, response);
    }

    private static KvOp r(String value, long invoke, long response) {
        return KvOp.read(2, "x", value, Status.OK, invoke, response);
    }

    private static KvOp cas(String expected, String value, Status status, long invoke, long response) {
        return KvOp.cas(3, "x", expected, value, status, invoke, response);
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        Verdict v = LinearizabilityChecker.check(List.of(r(null, 0, 1), w("a", 2, 3), r("a", 4, 5), w("b", 6, 7),
                r("b", 8, 9)));
        assertThat(v).isEqualTo(new Verdict.Linearizable(1, 5));
        assertThat(v.linearizable()).isTrue();
    }

    @Test
    void staleReadAfterACompletedWriteIsCaughtWithItsWitness() {
        Verdict v = LinearizabilityChecker.check(List.of(w("a", 0, 1), w("b", 2, 3), r("a", 4, 5)));
        assertThat(v.linearizable()).isFalse();
        Verdict.NotLinearizable nl = (Verdict.NotLinearizable) v;
        assertThat(nl.key()).isEqualTo("x");
        assertThat(nl.longestPrefix()).containsExactly(w("a", 0, 1), w("b", 2, 3));
        assertThat(nl.witness()).isEqualTo("key x: no linearization of [write(a)[0,1], write(b)[2,3], read->(a)[4,5]];"
                + " longest linearizable prefix [write(a)[0,1], write(b)[2,3]]");
    }

    @Test
    void readOfAValueNeverWrittenIsNotLinearizable() {
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 1), r("z", 2, 3))))
                .isInstanceOf(Verdict.NotLinearizable.class);
    }

    @Test
    void concurrentOperationsMayOrderEitherWay() {
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 10), r("a", 1, 2), r(null, 0, 1))).linearizable())
                .isTrue();
    }

    @Test
    void readsMustNotGoBackInTime() {
        // Both reads overlap the write, but once one saw "a" a later read may not see the old value.
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 100), r("a", 10, 20), r(null, 30, 40))))
                .isInstanceOf(Verdict.NotLinearizable.class);
    }

    @Test
    void aWriteWithUnknownOutcomeMayOrMayNotHaveHappened() {
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, NEVER), r(null, 5, 6))).linearizable()).isTrue();
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, NEVER), r("a", 5, 6))).linearizable()).isTrue();
        assertThat(LinearizabilityChecker.check(List.of(w("a", 10, NEVER), r("a", 0, 5))))
                .isInstanceOf(Verdict.NotLinearizable.class);
    }

    @Test
    void compareAndSetTakesEffectOnlyWhenItsExpectationHolds() {
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 1), cas("a", "b", Status.OK, 2, 3), r("b", 4, 5)))
                .linearizable()).isTrue();
        // A CAS that succeeded although the key held something else.
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 1), cas("z", "b", Status.OK, 2, 3))))
                .isInstanceOf(Verdict.NotLinearizable.class);
        // A failed CAS did not happen, so a read may not see its value.
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 1), cas("a", "b", Status.FAIL, 2, 3), r("b", 4, 5))))
                .isInstanceOf(Verdict.NotLinearizable.class);
        // A CAS with unknown outcome explains a later read of its value.
        assertThat(LinearizabilityChecker.check(List.of(w("a", 0, 1), cas("a", "b", Status.INFO, 2, 0), r("b", 40, 50)))
                .linearizable()).isTrue();
    }

    @Test
    void failedWritesAndUnansweredReadsAreLeftOut() {
        Verdict v = LinearizabilityChecker.check(List.of(w("a", 0, 1), KvOp.write(1, "x", "b", Status.FAIL, 2, 3),
                KvOp.read(2, "x", null, Status.INFO, 4, 0), r("a", 6, 7)));
        assertThat(v).isEqualTo(new Verdict.Linearizable(1, 2));
    }

    @Test
    void keysAreCheckedIndependently() {
        List<KvOp> history = List.of(KvOp.write(1, "x", "a", Status.OK, 0, 10), KvOp.write(2, "y", "b", Status.OK, 0, 10),
                KvOp.read(3, "y", "b", Status.OK, 11, 12), KvOp.read(3, "x", "a", Status.OK, 13, 14),
                KvOp.read(4, "y", "a", Status.OK, 15, 16));
        Verdict v = LinearizabilityChecker.check(history);
        assertThat(v).isInstanceOf(Verdict.NotLinearizable.class);
        assertThat(((Verdict.NotLinearizable) v).key()).isEqualTo("y");
    }

    /** Many concurrent unknown writes and reads make the search wide; a tiny budget cannot decide it. */
    private static List<KvOp> wideHistory() {
        List<KvOp> ops = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ops.add(w("v" + i, 0, NEVER));
        }
        ops.add(r("v3", 5, 6));
        ops.add(r("v7", 7, 8));
        ops.add(r("v3", 9, 10)); // v3 again after v7: only if v3 was written twice, which it was not
        return ops;
    }

    @Test
    void aSearchOverItsBudgetSaysUnknownNeverPass() {
        Verdict v = LinearizabilityChecker.check(wideHistory(), 5);
        assertThat(v).isEqualTo(new Verdict.Unknown("x", 15, 5));
        assertThat(v.linearizable()).isFalse();
        assertThat(((Verdict.Unknown) v).reason()).contains("gave up after 5 steps");
        // With the default budget the same history is decided: it is not linearizable.
        assertThat(LinearizabilityChecker.check(wideHistory())).isInstanceOf(Verdict.NotLinearizable.class);
    }

    @Test
    void aProvenViolationOnOneKeyWinsOverAnUndecidedOne() {
        List<KvOp> history = new ArrayList<>(wideHistory());
        history.add(KvOp.write(5, "y", "a", Status.OK, 0, 1));
        history.add(KvOp.read(5, "y", "b", Status.OK, 2, 3));
        Verdict v = LinearizabilityChecker.check(history, 5);
        assertThat(v).isInstanceOf(Verdict.NotLinearizable.class);
        assertThat(((Verdict.NotLinearizable) v).key()).isEqualTo("y");
    }

    @Test
    void aLongHistoryOnOneKeyIsDecided() {
        // A long run on real processes puts thousands of ops on one key; the search must not need a stack frame each.
        List<KvOp> ops = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            ops.add(KvOp.write(1, "x", "v" + i, Status.OK, 4L * i, 4L * i + 1));
            ops.add(KvOp.read(2, "x", "v" + i, Status.OK, 4L * i + 2, 4L * i + 3));
        }
        assertThat(LinearizabilityChecker.check(ops)).isEqualTo(new Verdict.Linearizable(1, 10_000));
        ops.set(9_999, KvOp.read(2, "x", "v0", Status.OK, 4L * 4_999 + 2, 4L * 4_999 + 3));
        Verdict.NotLinearizable v = (Verdict.NotLinearizable) LinearizabilityChecker.check(ops);
        assertThat(v.longestPrefix()).hasSize(9_999);
    }

    @Test
    void badInputIsRefusedWithTheFieldNamed() {
        assertThatThrownBy(() -> KvOp.read(1, "x", "a", Status.OK, 10, 5)).hasMessageContaining("before its invocation");
        assertThatThrownBy(() -> LinearizabilityChecker.check(List.of(), 0)).hasMessageContaining("budgetPerKey");
    }
}
