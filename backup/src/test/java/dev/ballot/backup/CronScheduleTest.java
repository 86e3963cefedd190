package dev.ballot.backup;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {
    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * * *        | 2026-12-06T10:00:00Z | 2026-12-06T10:01:00Z
            * * * * *        | 2026-12-06T10:00:59Z | 2026-12-06T10:01:00Z
            0 * * * *        | 2026-12-06T10:00:00Z | 2026-12-06T11:00:00Z
            @hourly          | 2026-12-06T10:30:00Z | 2026-12-06T11:00:00Z
            */15 * * * *     | 2026-12-06T10:16:00Z | 2026-12-06T10:30:00Z
            30 2 * * *       | 2026-12-06T10:00:00Z | 2026-12-07T02:30:00Z
            @daily           | 2026-12-31T23:59:00Z | 2027-01-01T00:00:00Z
            0 0 * * 0        | 2026-12-06T00:00:00Z | 2026-12-13T00:00:00Z
            0 0 * * 7        | 2026-12-06T00:00:00Z | 2026-12-13T00:00:00Z
            0 0 * * mon-fri  | 2026-12-05T12:00:00Z | 2026-12-07T00:00:00Z
            0 0 1 * *        | 2026-12-06T00:00:00Z | 2027-01-01T00:00:00Z
            0 0 29 feb *     | 2026-03-01T00:00:00Z | 2028-02-29T00:00:00Z
            0 12 13 * 5      | 2026-12-06T00:00:00Z | 2026-12-11T12:00:00Z
            5,35 1-2 * * *   | 2026-12-06T01:35:00Z | 2026-12-06T02:05:00Z
            0 0-12/6 * * *   | 2026-12-06T06:00:00Z | 2026-12-06T12:00:00Z
            """)
    void next(String expression, String after, String expected) {
        assertThat(CronSchedule.parse(expression).next(Instant.parse(after))).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            ''              | the schedule is empty
            0 * * *         | has 4 fields; a cron expression has five
            60 * * * *      | minute field '60' is invalid: 60 is outside 0-59
            * 24 * * *      | hour field '24' is invalid
            * * 0 * *       | day-of-month field '0' is invalid
            * * * 13 *      | month field '13' is invalid
            * * * * 8       | day-of-week field '8' is invalid
            5-1 * * * *     | the range runs backwards
            x * * * *       | 'x' is not a number
            */0 * * * *     | 0 is outside 1-59
            @often          | unknown macro '@often'
            """)
    void badExpressionsNameTheField(String expression, String message) {
        assertThatThrownBy(() -> CronSchedule.parse(expression)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource({"0 0 30 2 *", "0 0 31 4 *"})
    void aScheduleThatNeverFiresSaysSo(String expression) {
        assertThatThrownBy(() -> CronSchedule.parse(expression).next(Instant.parse("2026-01-01T00:00:00Z")))
                .hasMessageContaining("never fires");
    }
}
