package dev.ballot.engine.linearizability;

import dev.ballot.engine.linearizability.KvOp.Status;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HistoryTextTest {
    @Test
    void aHistoryComesBackAsItWasWritten() {
        List<KvOp> history = List.of(
                KvOp.write(1, "x", "a", Status.OK, 0, 10),
                KvOp.cas(2, "x", "a", "b", Status.INFO, 5, KvOp.NEVER),
                KvOp.cas(2, "x", null, "c", Status.FAIL, 11, 12),
                KvOp.read(3, "x", "b", Status.OK, 20, 25),
                KvOp.read(3, "key with\ttab\nnewline \\ and \\N", null, Status.OK, 30, 31));
        String text = HistoryText.format(history);
        assertThat(HistoryText.parse(text)).isEqualTo(history);
        assertThat(text.lines().skip(2).findFirst()).hasValue("2\tcas\tx\ta\tb\tinfo\t5\t?");
    }

    @Test
    void aKeptHistoryIsCheckedAgain() {
        String kept = """
                # a stale read, kept from a failing run
                1\twrite\tx\t\\N\ta\tok\t0\t1
                1\twrite\tx\t\\N\tb\tok\t2\t3
                2\tread\tx\t\\N\ta\tok\t4\t5
                """;
        assertThat(LinearizabilityChecker.check(HistoryText.parse(kept))).isInstanceOf(Verdict.NotLinearizable.class);
    }

    @Test
    void malformedLinesAreRefusedWithTheLineAndField() {
        assertThatThrownBy(() -> HistoryText.parse("1\twrite\tx\n")).hasMessageContaining("history line 1")
                .hasMessageContaining("8 tab-separated fields");
        assertThatThrownBy(() -> HistoryText.parse("# c\n1\tdelete\tx\t\\N\ta\tok\t0\t1\n"))
                .hasMessageContaining("history line 2: kind must be one of [write, cas, read], got 'delete'");
        assertThatThrownBy(() -> HistoryText.parse("1\twrite\tx\t\\N\ta\tok\t0\t?\n"))
                .hasMessageContaining("response '?' is only for status info");
        assertThatThrownBy(() -> HistoryText.parse("1\twrite\tx\t\\N\ta\tok\tsoon\t1\n"))
                .hasMessageContaining("invoke must be a whole number, got 'soon'");
        assertThatThrownBy(() -> HistoryText.parse("1\twrite\tx\t\\N\ta\\q\tok\t0\t1\n"))
                .hasMessageContaining("unknown escape \\q");
        assertThatThrownBy(() -> HistoryText.parse("1\twrite\tx\t\\N\ta\tok\t5\t1\n"))
                .hasMessageContaining("history line 1: op on key x answered at 1 before its invocation at 5");
    }
}
