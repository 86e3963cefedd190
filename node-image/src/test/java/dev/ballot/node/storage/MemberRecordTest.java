package dev.ballot.node.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemberRecordTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndMakesTheDirectoryNoLongerFresh() throws Exception {
        assertThat(MemberRecord.freshDirectory(dir.resolve("absent"))).isTrue();
        Files.createDirectories(dir.resolve("lost+found")); // what a new ext4 volume holds
        assertThat(MemberRecord.freshDirectory(dir)).isTrue();
        assertThat(MemberRecord.read(dir)).isEmpty();
        MemberRecord r = new MemberRecord("c1", UUID.randomUUID(), 3, 42, java.util.List.of());
        r.write(dir);
        assertThat(MemberRecord.read(dir)).hasValue(r);
        assertThat(MemberRecord.freshDirectory(dir)).isFalse();
        MemberRecord grown = r.withJoined(java.util.List.of("node-1", "node-3"));
        grown.write(dir);
        assertThat(MemberRecord.read(dir)).hasValue(grown);
    }

    @Test
    void aDirectoryWithALogIsNotFreshEvenWithoutTheMemberFile() throws Exception {
        Files.writeString(dir.resolve("wal-0000000000000001.log"), "x");
        assertThat(MemberRecord.freshDirectory(dir)).isFalse();
    }

    @Test
    void aDamagedFileIsRefusedNotReadAsAnotherIdentity() throws Exception {
        new MemberRecord("c1", UUID.randomUUID(), 3, 42, java.util.List.of()).write(dir);
        Path file = dir.resolve(MemberRecord.FILE);
        Files.writeString(file, Files.readString(file, StandardCharsets.UTF_8).replace("member_id=3", "member_id=4"));
        assertThatThrownBy(() -> MemberRecord.read(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("checksum");
    }
}
