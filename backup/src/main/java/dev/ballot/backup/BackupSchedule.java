package dev.ballot.backup;

import java.time.Instant;
import java.util.Optional;

/** Whether a scheduled backup is due (pure; table-tested). */
public final class BackupSchedule {
    private BackupSchedule() {
    }

    /**
     * The schedule slot to run now, or empty: the first slot after the last one run (or, before any ran, after
     * {@code since}: when backups were configured) if it is not in the future. Slots missed while the operator was
     * down collapse into one run, as a CronJob's.
     *
     * @param lastSlot the slot of the last scheduled backup started, or null
     * @param since    where the schedule starts when none ran yet (the cluster's creation)
     */
    public static Optional<Instant> dueSlot(CronSchedule schedule, Instant lastSlot, Instant since, Instant now) {
        Instant base = lastSlot != null ? lastSlot : since;
        Instant next = schedule.next(base);
        if (next.isAfter(now)) {
            return Optional.empty();
        }
        // Several slots passed: run for the latest one, so the next is in the future.
        Instant latest = next;
        for (Instant n = schedule.next(latest); !n.isAfter(now); n = schedule.next(n)) {
            latest = n;
        }
        return Optional.of(latest);
    }

    /** When the next slot after {@code from} is, for the reconcile's recheck. */
    public static Instant nextSlot(CronSchedule schedule, Instant from) {
        return schedule.next(from);
    }
}
