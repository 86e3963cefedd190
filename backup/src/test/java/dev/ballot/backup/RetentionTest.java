package dev.ballot.backup;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    /** Backups taken {@code hoursAgo} hours before now, named by their age: "h5" is five hours old. */
    private static List<BackupKeys.Parsed> backups(String hoursAgo) {
        List<BackupKeys.Parsed> out = new ArrayList<>();
        if (hoursAgo.isBlank()) {
            return out;
        }
        for (String h : hoursAgo.split(" ")) {
            out.add(new BackupKeys.Parsed("h" + h, NOW.minus(Duration.ofHours(Long.parseLong(h))), 100 - Long.parseLong(h)));
        }
        return out;
    }

    @ParameterizedTest(name = "ages {0}, keep {1}, maxAge {2}h -> delete {3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # ages (hours)  | keep | max age (h) | deleted, oldest first
            ''              | 3    | -           | ''
            1 2 3           | -    | -           | ''
            1 2 3 4 5       | 3    | -           | h5 h4
            5 1 4 2 3       | 3    | -           | h5 h4
            1 2 3 4 5       | 0    | -           | ''
            1 2 3 4 5       | -    | 3           | h5 h4
            1 2 3 4 5       | 4    | 2           | h5 h4 h3
            30 40           | -    | 24          | h40
            30              | 1    | 24          | ''
            30 40           | 5    | 1           | h40
            """)
    void toDelete(String ages, Integer keep, Long maxAgeHours, String expected) {
        List<String> deleted = Retention.toDelete(backups(ages), keep, maxAgeHours == null ? null : Duration.ofHours(maxAgeHours), NOW);
        assertThat(deleted).containsExactlyElementsOf(expected.isBlank() ? List.of() : Arrays.asList(expected.split(" ")));
    }
}
