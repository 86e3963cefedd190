package dev.ballot.operator.backup;

import dev.ballot.backup.SnapshotBackup;
import dev.ballot.operator.api.BackupStatus;
import java.time.Instant;

/** status.backup as each step of a backup changes it (pure; the previous status is never modified). */
public final class BackupStatuses {
    private BackupStatuses() {
    }

    public static BackupStatus copy(BackupStatus s) {
        BackupStatus c = new BackupStatus();
        if (s != null) {
            c.lastSuccessTime = s.lastSuccessTime;
            c.lastObject = s.lastObject;
            c.lastSize = s.lastSize;
            c.lastIndex = s.lastIndex;
            c.lastTerm = s.lastTerm;
            c.lastDurationMs = s.lastDurationMs;
            c.lastScheduleTime = s.lastScheduleTime;
            c.lastError = s.lastError;
            c.lastErrorTime = s.lastErrorTime;
            c.runningSince = s.runningSince;
            c.lastRequest = s.lastRequest;
        }
        return c;
    }

    /** A backup started: for {@code plan}'s slot or request. */
    public static BackupStatus started(BackupStatus previous, BackupPlan plan, Instant now) {
        BackupStatus s = copy(previous);
        s.runningSince = now.toString();
        if (plan.slot() != null) {
            s.lastScheduleTime = plan.slot().toString();
        }
        if (plan.request() != null) {
            s.lastRequest = plan.request();
        }
        return s;
    }

    public static BackupStatus succeeded(BackupStatus previous, SnapshotBackup.Taken taken, String retentionError) {
        BackupStatus s = copy(previous);
        s.runningSince = null;
        s.lastSuccessTime = taken.manifest().createdAt();
        s.lastObject = taken.manifest().object();
        s.lastSize = taken.manifest().size();
        s.lastIndex = taken.manifest().index();
        s.lastTerm = taken.manifest().term();
        s.lastDurationMs = taken.took().toMillis();
        s.lastError = retentionError;
        s.lastErrorTime = retentionError == null ? null : taken.manifest().createdAt();
        return s;
    }

    public static BackupStatus failed(BackupStatus previous, String error, Instant now) {
        BackupStatus s = copy(previous);
        s.runningSince = null;
        s.lastError = error;
        s.lastErrorTime = now.toString();
        return s;
    }
}
