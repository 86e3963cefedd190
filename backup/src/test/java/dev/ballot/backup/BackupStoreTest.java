package dev.ballot.backup;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The S3 edge against a real S3-compatible server (versitygw on loopback). */
class BackupStoreTest {
    private static VersityGw gw;

    @BeforeAll
    static void startServer() throws Exception {
        gw = VersityGw.start();
        gw.createBucket("backups");
    }

    @AfterAll
    static void stopServer() {
        if (gw != null) {
            gw.close();
        }
    }

    private static BackupManifest store(BackupStore store, String prefix, Instant at, long index, byte[] data) throws IOException {
        String key = BackupKeys.snapshotKey(prefix, at, index);
        store.put(key, new ByteArrayInputStream(data), data.length, "application/octet-stream");
        String sha = HexFormat.of().formatHex(SnapshotBackup.sha256().digest(data));
        BackupManifest m = new BackupManifest(1, "ns", "src", "raft", "kv", index, 3, sha, data.length, at.toString(), key, "src-0");
        store.put(BackupKeys.manifestKey(key), m.toJson(), "application/json");
        return m;
    }

    @Test
    void putListFetchLatestVerifyAndDelete() throws Exception {
        try (BackupStore store = BackupStore.open(gw.location("backups", "team/a"), VersityGw.CREDENTIALS)) {
            String prefix = BackupKeys.clusterPrefix(store.location(), "ns", "src");
            assertThat(prefix).isEqualTo("team/a/ns/src/");
            assertThat(store.list(prefix)).isEmpty();
            assertThatThrownBy(() -> BackupFetch.fetch(store, prefix, "latest")).hasMessageContaining("there is no backup under");

            store(store, prefix, Instant.parse("2026-12-06T10:00:00Z"), 40, "old".getBytes(StandardCharsets.UTF_8));
            BackupManifest newest = store(store, prefix, Instant.parse("2026-12-06T11:00:00Z"), 90,
                    "newest state".getBytes(StandardCharsets.UTF_8));
            List<BackupKeys.Parsed> listed = store.list(prefix);
            assertThat(listed).extracting(BackupKeys.Parsed::index).containsExactly(40L, 90L);

            BackupFetch.Fetched latest = BackupFetch.fetch(store, prefix, BackupFetch.LATEST);
            assertThat(latest.manifest()).isEqualTo(newest);
            assertThat(new String(latest.data(), StandardCharsets.UTF_8)).isEqualTo("newest state");
            BackupFetch.Fetched byName = BackupFetch.fetch(store, prefix, "20261206T100000Z-00000000000000000040.snap");
            assertThat(new String(byName.data(), StandardCharsets.UTF_8)).isEqualTo("old");

            // A damaged object (same size, other bytes) is refused by its checksum.
            store.put(newest.object(), "NEWEST STATE".getBytes(StandardCharsets.UTF_8), "application/octet-stream");
            assertThatThrownBy(() -> BackupFetch.fetch(store, prefix, "latest"))
                    .hasMessageContaining("does not match its manifest's SHA-256");

            store.delete(List.of(listed.get(0).key()));
            assertThat(store.list(prefix)).extracting(BackupKeys.Parsed::index).containsExactly(90L);
        }
    }

    @Test
    void wrongCredentialsAndMissingBucketAreNamed() {
        try (BackupStore bad = BackupStore.open(gw.location("backups", ""), new S3Credentials("nobody", "wrong"))) {
            assertThatThrownBy(() -> bad.list("x/")).isInstanceOf(IOException.class).hasMessageContaining("cannot list x/ in s3://backups/");
        }
        try (BackupStore missing = BackupStore.open(gw.location("no-such-bucket", ""), VersityGw.CREDENTIALS)) {
            assertThatThrownBy(() -> missing.put("k", new byte[] {1}, "application/octet-stream"))
                    .isInstanceOf(IOException.class).hasMessageContaining("no-such-bucket");
        }
    }
}
