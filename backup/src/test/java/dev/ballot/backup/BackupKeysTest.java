package dev.ballot.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupKeysTest {
    @Test
    void keysCarryTimeAndIndexAndReadBack() {
        S3Location loc = new S3Location("b", "/backups/prod/", null, null, true);
        String prefix = BackupKeys.clusterPrefix(loc, "team", "raft-3");
        assertThat(prefix).isEqualTo("backups/prod/team/raft-3/");
        Instant at = Instant.parse("2026-12-06T17:05:09.123Z");
        String key = BackupKeys.snapshotKey(prefix, at, 1234);
        assertThat(key).isEqualTo("backups/prod/team/raft-3/20261206T170509Z-00000000000000001234.snap");
        assertThat(BackupKeys.manifestKey(key)).isEqualTo("backups/prod/team/raft-3/20261206T170509Z-00000000000000001234.json");
        assertThat(BackupKeys.parse(key)).contains(new BackupKeys.Parsed(key, Instant.parse("2026-12-06T17:05:09Z"), 1234));
        assertThat(BackupKeys.clusterPrefix(new S3Location("b", null, null, null, false), "ns", "c")).isEqualTo("ns/c/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ns/c/20261206T170509Z-00000000000000001234.json", "ns/c/notes.txt",
            "ns/c/20261306T170509Z-00000000000000001234.snap", "ns/c/20261206T170509Z-1234.snap"})
    void otherObjectsAreNotBackups(String key) {
        assertThat(BackupKeys.parse(key)).isEmpty();
    }

    @Test
    void aLocationNeedsABucket() {
        assertThatThrownBy(() -> new S3Location(" ", "p", null, null, true)).hasMessageContaining("the bucket is missing");
        assertThat(new S3Location("b", "p", null, "", true).region()).isEqualTo("us-east-1");
    }
}
