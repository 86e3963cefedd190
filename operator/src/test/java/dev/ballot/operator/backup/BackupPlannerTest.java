package dev.ballot.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.BackupSpec;
import dev.ballot.operator.api.BackupStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackupPlannerTest {
    private static final Instant CREATED = Instant.parse("2026-12-06T10:20:00Z");

    @ParameterizedTest(name = "schedule={0} lastSlot={1} lastRequest={2} request={3} running={4} now={5}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # schedule | last slot            | last request | request | running | now                  | start | slot                 | recheck (s) | error
            -          | -                    | -            | -       | false   | 2026-12-06T11:00:00Z | false | -                    | 300         | -
            -          | -                    | -            | a       | false   | 2026-12-06T11:00:00Z | true  | -                    | 2           | -
            -          | -                    | a            | a       | false   | 2026-12-06T11:00:00Z | false | -                    | 300         | -
            -          | -                    | a            | b       | true    | 2026-12-06T11:00:00Z | false | -                    | 2           | -
            0 * * * *  | -                    | -            | -       | false   | 2026-12-06T10:59:00Z | false | -                    | 60.5        | -
            0 * * * *  | -                    | -            | -       | false   | 2026-12-06T11:00:03Z | true  | 2026-12-06T11:00:00Z | 2           | -
            0 * * * *  | 2026-12-06T11:00:00Z | -            | -       | false   | 2026-12-06T11:10:00Z | false | -                    | 300         | -
            0 * * * *  | 2026-12-06T11:00:00Z | -            | -       | true    | 2026-12-06T12:00:00Z | false | -                    | 2           | -
            0 * * * *  | 2026-12-06T11:00:00Z | -            | -       | false   | 2026-12-06T14:30:00Z | true  | 2026-12-06T14:00:00Z | 2           | -
            0 * * * *  | 2026-12-06T11:00:00Z | x            | y       | false   | 2026-12-06T14:30:00Z | true  | -                    | 2           | -
            61 * * * * | -                    | -            | -       | false   | 2026-12-06T14:30:00Z | false | -                    | 300         | spec.backup.schedule: the cron minute field '61' is invalid
            """)
    void plan(String schedule, String lastSlot, String lastRequest, String request, boolean running, String now,
              boolean start, String slot, double recheckSeconds, String error) {
        BackupSpec spec = new BackupSpec();
        spec.schedule = schedule;
        BackupStatus previous = new BackupStatus();
        previous.lastScheduleTime = lastSlot;
        previous.lastRequest = lastRequest;
        BackupPlan plan = BackupPlanner.plan(spec, previous, CREATED, request, running, false, Instant.parse(now));
        assertThat(plan.start()).isEqualTo(start);
        assertThat(plan.slot()).isEqualTo(slot == null ? null : Instant.parse(slot));
        assertThat(plan.request()).isEqualTo(start && slot == null ? request : null);
        assertThat(plan.recheck()).isEqualTo(Duration.ofMillis((long) (recheckSeconds * 1000)));
        if (error == null) {
            assertThat(plan.error()).isNull();
        } else {
            assertThat(plan.error()).startsWith(error);
        }
    }

    /** A backup whose operator process stopped (status.backup.runningSince, no runner here) is taken again. */
    @ParameterizedTest(name = "lastSlot={0} lastRequest={1} request={2} running={3}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # last slot            | last request | request | running | start | slot                 | answers request
            -                      | a            | a       | false   | true  | -                    | a
            2026-12-06T11:00:00Z   | -            | -       | false   | true  | 2026-12-06T11:00:00Z | -
            2026-12-06T11:00:00Z   | a            | a       | false   | true  | -                    | a
            -                      | a            | b       | false   | true  | -                    | b
            -                      | a            | a       | true    | false | -                    | -
            """)
    void anOrphanedBackupIsTakenAgain(String lastSlot, String lastRequest, String request, boolean running,
                                      boolean start, String slot, String answers) {
        BackupSpec spec = new BackupSpec();
        spec.schedule = lastSlot == null ? null : "0 * * * *";
        BackupStatus previous = new BackupStatus();
        previous.lastScheduleTime = lastSlot;
        previous.lastRequest = lastRequest;
        previous.runningSince = "2026-12-06T11:00:01Z";
        BackupPlan plan = BackupPlanner.plan(spec, previous, CREATED, request, running, !running,
                Instant.parse("2026-12-06T11:10:00Z"));
        assertThat(plan.start()).isEqualTo(start);
        assertThat(plan.slot()).isEqualTo(slot == null ? null : Instant.parse(slot));
        assertThat(plan.request()).isEqualTo(answers);
    }

    @ParameterizedTest
    @CsvSource({"a", "''"})
    void noBackupSpecNoPlan(String request) {
        assertThat(BackupPlanner.plan(null, null, CREATED, request, false, false, CREATED)).isEqualTo(BackupPlan.NONE);
    }
}
