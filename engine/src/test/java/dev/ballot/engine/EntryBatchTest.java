package dev.ballot.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EntryBatchTest {

    /** Entries of the given data sizes, cut at {@code budget}: how many stay. */
    @ParameterizedTest(name = "sizes {0}, budget {1} -> {2}")
    @CsvSource(delimiter = ';', value = {
            "'';                 100;  0",   // nothing to send
            "1000;               100;  1",   // one entry over the budget still goes, alone
            "1000 1;             100;  1",   // ...and nothing after it
            "10 10 10;           1000; 3",   // all fit
            "10 10 10;           54;   2",   // 27 + 27 = 54 fits exactly, the third does not
            "10 10 10;           53;   1",   // the second would pass the budget by one byte
            "0 0 0 0;            17;   1",   // an empty entry still costs its header
            "1048559 1;          1048576; 1", // a 1 MiB entry (with its header) fills etcd's default budget
            "524271 524271 1;    1048576; 2"})
    void keepsTheLongestPrefixWithinTheBudgetAndAtLeastOneEntry(String sizes, long budget, int kept) {
        List<LogEntry> entries = entries(sizes);
        List<LogEntry> out = EntryBatch.limit(entries, budget);
        assertThat(out).hasSize(kept).isEqualTo(entries.subList(0, kept));
    }

    @Test
    void aBudgetBelowOneEntryHeaderIsRefusedNamingTheField() {
        assertThatThrownBy(() -> EntryBatch.checkBudget("maxBytesPerMessage", 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytesPerMessage must be at least 17");
    }

    private static List<LogEntry> entries(String sizes) {
        List<LogEntry> out = new ArrayList<>();
        if (sizes.isBlank()) {
            return out;
        }
        long index = 1;
        for (String s : sizes.trim().split("\\s+")) {
            out.add(new LogEntry(index++, 1, EntryType.COMMAND, new byte[Integer.parseInt(s)]));
        }
        return out;
    }
}
