package dev.ballot.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The object layout: {@code <prefix>/<namespace>/<cluster>/<yyyyMMdd'T'HHmmss'Z'>-<index, 20 digits>.snap} and its
 * manifest at the same key with {@code .json}. Keys sort by time, and the time and index can be read back from a
 * listing without fetching anything.
 */
public final class BackupKeys {
    public static final String SNAPSHOT_SUFFIX = ".snap";
    public static final String MANIFEST_SUFFIX = ".json";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(\\d{8}T\\d{6}Z)-(\\d{20})\\.snap");

    /** A backup's key read back: when it was taken and at which index. */
    public record Parsed(String key, Instant takenAt, long index) {
    }

    private BackupKeys() {
    }

    /** The folder of one cluster's backups, ending in {@code /}. */
    public static String clusterPrefix(S3Location location, String namespace, String cluster) {
        return (location.prefix().isEmpty() ? "" : location.prefix() + "/") + namespace + "/" + cluster + "/";
    }

    public static String snapshotKey(String clusterPrefix, Instant takenAt, long index) {
        return clusterPrefix + TIME.format(takenAt) + "-" + String.format("%020d", index) + SNAPSHOT_SUFFIX;
    }

    public static String manifestKey(String snapshotKey) {
        if (!snapshotKey.endsWith(SNAPSHOT_SUFFIX)) {
            throw new IllegalArgumentException("a backup object's key ends in " + SNAPSHOT_SUFFIX + ", got " + snapshotKey);
        }
        return snapshotKey.substring(0, snapshotKey.length() - SNAPSHOT_SUFFIX.length()) + MANIFEST_SUFFIX;
    }

    /** The time and index of a snapshot key of this layout; empty for any other key (a manifest, a foreign object). */
    public static Optional<Parsed> parse(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(key, TIME.parse(m.group(1), Instant::from), Long.parseLong(m.group(2))));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
