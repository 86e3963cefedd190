package dev.ballot.backup;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BackupScheduleTest {
    @ParameterizedTest(name = "{0} last={1} since={2} now={3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # schedule  | last slot run        | since                | now                  | due slot
            0 * * * *   | -                    | 2026-12-06T10:20:00Z | 2026-12-06T10:59:00Z | -
            0 * * * *   | -                    | 2026-12-06T10:20:00Z | 2026-12-06T11:00:00Z | 2026-12-06T11:00:00Z
            0 * * * *   | 2026-12-06T11:00:00Z | 2026-12-06T10:20:00Z | 2026-12-06T11:30:00Z | -
            0 * * * *   | 2026-12-06T11:00:00Z | 2026-12-06T10:20:00Z | 2026-12-06T12:00:01Z | 2026-12-06T12:00:00Z
            0 * * * *   | 2026-12-06T11:00:00Z | 2026-12-06T10:20:00Z | 2026-12-06T15:10:00Z | 2026-12-06T15:00:00Z
            */5 * * * * | 2026-12-06T11:00:00Z | 2026-12-06T10:20:00Z | 2026-12-06T11:04:59Z | -
            """)
    void dueSlot(String schedule, String last, String since, String now, String expected) {
        var due = BackupSchedule.dueSlot(CronSchedule.parse(schedule), last == null ? null : Instant.parse(last),
                Instant.parse(since), Instant.parse(now));
        if (expected == null) {
            assertThat(due).isEmpty();
        } else {
            assertThat(due).contains(Instant.parse(expected));
        }
    }
}
