package dev.ballot.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which backups to delete (pure; table-tested). Keeps the newest {@code keep} and drops those older than
 * {@code maxAge}; either may be absent. The newest backup is never deleted, whatever the limits say: a retention
 * rule must not leave a cluster with no backup at all.
 */
public final class Retention {
    private Retention() {
    }

    /**
     * @param backups a cluster's backups (any order)
     * @param keep    how many of the newest to keep at most; null or 0 for no count limit
     * @param maxAge  delete those taken longer ago than this; null for no age limit
     * @return the keys to delete, oldest first
     */
    public static List<String> toDelete(List<BackupKeys.Parsed> backups, Integer keep, Duration maxAge, Instant now) {
        List<BackupKeys.Parsed> newestFirst = new ArrayList<>(backups);
        newestFirst.sort(Comparator.comparing(BackupKeys.Parsed::takenAt).thenComparing(BackupKeys.Parsed::index).reversed());
        List<String> out = new ArrayList<>();
        for (int i = newestFirst.size() - 1; i >= 1; i--) { // i == 0, the newest, always stays
            BackupKeys.Parsed b = newestFirst.get(i);
            boolean beyondCount = keep != null && keep > 0 && i >= keep;
            boolean tooOld = maxAge != null && b.takenAt().isBefore(now.minus(maxAge));
            if (beyondCount || tooOld) {
                out.add(b.key());
            }
        }
        return out;
    }
}
