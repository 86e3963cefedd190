package dev.ballot.operator.backup;

import java.time.Duration;
import java.time.Instant;

/**
 * What {@link BackupPlanner} decided for one reconcile.
 *
 * @param start   start a backup now
 * @param slot    the schedule slot it runs for (null for an on-demand backup)
 * @param request the on-demand request it answers (null for a scheduled backup)
 * @param recheck when to look again (null: no backup configured)
 * @param error   why backups cannot run as configured (a bad schedule), or null
 */
public record BackupPlan(boolean start, Instant slot, String request, Duration recheck, String error) {
    public static final BackupPlan NONE = new BackupPlan(false, null, null, null, null);
}
