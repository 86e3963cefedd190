package dev.ballot.operator.backup;

import dev.ballot.backup.BackupSchedule;
import dev.ballot.backup.CronSchedule;
import dev.ballot.operator.api.BackupSpec;
import dev.ballot.operator.api.BackupStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether to start a backup (pure; table-tested): an on-demand request not yet taken up (the
 * {@value #BACKUP_NOW} annotation's value differs from status.backup.lastRequest) or a due schedule slot; never
 * while one runs.
 */
public final class BackupPlanner {
    /** On-demand backup: set the annotation to any new value (e.g. the time); status.backup.lastRequest echoes it. */
    public static final String BACKUP_NOW = "ballot.dev/backup-now";
    /** How often to look while a backup runs. */
    static final Duration WHILE_RUNNING = Duration.ofSeconds(2);
    /** The longest wait before looking again for a schedule slot (the operator may have missed an event). */
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private BackupPlanner() {
    }

    /**
     * @param createdAt when the cluster was created: a schedule's first slot is the first after it
     * @param request   the on-demand annotation's value, or null
     * @param running   a backup of this cluster runs now, in this operator process
     * @param orphaned  status.backup says a backup runs (runningSince) that no runner in this process owns: the
     *                  operator process that started it stopped (a restart, a new leader) and the backup with it
     */
    public static BackupPlan plan(BackupSpec spec, BackupStatus previous, Instant createdAt, String request,
                                  boolean running, boolean orphaned, Instant now) {
        if (spec == null) {
            return BackupPlan.NONE;
        }
        if (running) {
            return new BackupPlan(false, null, null, WHILE_RUNNING, null);
        }
        String lastRequest = previous == null ? null : previous.lastRequest;
        if (request != null && !request.isBlank() && !request.equals(lastRequest)) {
            return new BackupPlan(true, null, request, WHILE_RUNNING, null);
        }
        if (orphaned && previous != null) {
            // A backup is a read: take it again for what it was answering. Left alone, status.backup said "running"
            // for ever and the request it answered never got its answer (e2e backup-restore, after an operator
            // failover under load).
            Instant slot = lastRequest == null && previous.lastScheduleTime != null
                    ? Instant.parse(previous.lastScheduleTime) : null;
            return new BackupPlan(true, slot, slot == null ? lastRequest : null, WHILE_RUNNING, null);
        }
        if (spec.schedule == null || spec.schedule.isBlank()) {
            return new BackupPlan(false, null, null, MAX_WAIT, null);
        }
        CronSchedule cron;
        try {
            cron = CronSchedule.parse(spec.schedule);
        } catch (IllegalArgumentException e) {
            return new BackupPlan(false, null, null, MAX_WAIT, "spec.backup.schedule: " + e.getMessage());
        }
        Instant last = previous == null || previous.lastScheduleTime == null ? null : Instant.parse(previous.lastScheduleTime);
        try {
            Optional<Instant> due = BackupSchedule.dueSlot(cron, last, createdAt, now);
            if (due.isPresent()) {
                return new BackupPlan(true, due.get(), null, WHILE_RUNNING, null);
            }
            Duration wait = Duration.between(now, BackupSchedule.nextSlot(cron, last != null ? last : createdAt));
            return new BackupPlan(false, null, null, wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT
                    : wait.isNegative() ? Duration.ofSeconds(1) : wait.plusMillis(500), null);
        } catch (IllegalArgumentException e) {
            return new BackupPlan(false, null, null, MAX_WAIT, "spec.backup.schedule: " + e.getMessage());
        }
    }
}
