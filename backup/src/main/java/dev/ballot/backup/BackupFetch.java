package dev.ballot.backup;

import java.io.IOException;
import java.util.HexFormat;

/** Reads a backup for a restore: the manifest, then the object, checked against the manifest's size and SHA-256. */
public final class BackupFetch {
    /** The word for "the newest backup under the cluster's prefix". */
    public static final String LATEST = "latest";

    /** A verified backup. */
    public record Fetched(BackupManifest manifest, byte[] data) {
    }

    private BackupFetch() {
    }

    /**
     * @param clusterPrefix the source cluster's folder ({@link BackupKeys#clusterPrefix})
     * @param object        a snapshot object's key (full, or relative to {@code clusterPrefix}), or {@link #LATEST}
     */
    public static Fetched fetch(BackupStore store, String clusterPrefix, String object) throws IOException {
        String key;
        if (object == null || object.isBlank() || object.equals(LATEST)) {
            key = store.latest(clusterPrefix).orElseThrow(() -> new IOException("there is no backup under "
                    + store.location().describe() + " " + clusterPrefix + "; check the bucket, prefix and source cluster"))
                    .key();
        } else {
            key = object.startsWith(clusterPrefix) || object.contains("/") ? object : clusterPrefix + object;
        }
        BackupManifest m = BackupManifest.parse(store.get(BackupKeys.manifestKey(key)), key + BackupKeys.MANIFEST_SUFFIX);
        byte[] data = store.get(key);
        if (data.length != m.size()) {
            throw new IOException("the backup " + key + " is " + data.length + " bytes but its manifest says " + m.size()
                    + ": the object is damaged or was replaced; restore another backup");
        }
        String sha = HexFormat.of().formatHex(SnapshotBackup.sha256().digest(data));
        if (!sha.equals(m.sha256())) {
            throw new IOException("the backup " + key + " does not match its manifest's SHA-256 (" + sha + " != "
                    + m.sha256() + "): the object is damaged or was replaced; restore another backup");
        }
        return new Fetched(m, data);
    }
}
