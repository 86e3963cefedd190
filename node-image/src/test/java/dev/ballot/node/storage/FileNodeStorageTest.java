package dev.ballot.node.storage;

import static dev.ballot.node.storage.Readies.append;
import static dev.ballot.node.storage.Readies.entries;
import static dev.ballot.node.storage.Readies.entry;
import static dev.ballot.node.storage.Readies.ready;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Membership;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNodeStorageTest {
    private static final String CLUSTER = "c1";

    @TempDir
    Path tmp;

    private FileNodeStorage open(Path dir) throws Exception {
        return FileNodeStorage.open(dir, CLUSTER, 1, null);
    }

    private PersistedState reopen(Path dir) throws Exception {
        try (FileNodeStorage s = open(dir)) {
            return s.load();
        }
    }

    private static Path onlySegment(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> segs = s.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted().toList();
            assertThat(segs).hasSize(1);
            return segs.get(0);
        }
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                if (!p.getFileName().toString().equals(FileNodeStorage.LOCK)) {
                    Files.copy(p, to.resolve(p.getFileName()));
                }
            }
        }
    }

    @Test
    void freshDirectoryLoadsEmpty() throws Exception {
        try (FileNodeStorage s = open(tmp.resolve("d"))) {
            assertThat(s.load()).isEqualTo(PersistedState.EMPTY);
        }
        assertThat(reopen(tmp.resolve("d"))).isEqualTo(PersistedState.EMPTY);
    }

    @Test
    void entriesAndHardStateSurviveRestart() throws Exception {
        Path dir = tmp.resolve("d");
        AtomicInteger fsyncs = new AtomicInteger();
        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, n -> fsyncs.incrementAndGet())) {
            fsyncs.set(0);
            s.persist(append(entries(1, 100, 2), new HardState(2, 1, 0, 0)));
            assertThat(fsyncs.get()).as("one fsync for a persist of 100 entries and a hard state").isEqualTo(1);
            s.persist(append(entries(101, 110, 2), new HardState(2, 1, 100, 0)));
            s.persist(append(List.of(), new HardState(3, 0, 110, 0)));
            s.persist(ready(null, Ready.NO_TRUNCATION, List.of(), null)); // nothing to sync: no fsync
            assertThat(fsyncs.get()).isEqualTo(3);
            assertThat(s.load().entries()).hasSize(110);
        }
        PersistedState st = reopen(dir);
        assertThat(st.hardState()).isEqualTo(new HardState(3, 0, 110, 0));
        assertThat(st.snapshot()).isNull();
        assertThat(st.entries()).isEqualTo(entries(1, 110, 2));
    }

    @Test
    void truncationAndZxidIndexesThatAreNotContiguous() throws Exception {
        Path dir = tmp.resolve("d");
        long e1 = 1L << 32;
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(List.of(entry(e1 | 1, 1), entry(e1 | 2, 1), entry(e1 | 3, 1)), new HardState(1, 0, 0, 1)));
            // A new leader in epoch 2 truncates the uncommitted tail (ZAB TRUNC) and proposes on.
            s.persist(ready(new HardState(2, 0, e1 | 1, 2), e1 | 2, List.of(entry(2L << 32 | 1, 2)), null));
            // An entry whose index is not above the last replaces it and everything after (Raft conflict).
            s.persist(append(List.of(new LogEntry(2L << 32 | 1, 3, EntryType.NOOP, null)), null));
        }
        PersistedState st = reopen(dir);
        assertThat(st.entries()).containsExactly(entry(e1 | 1, 1), new LogEntry(2L << 32 | 1, 3, EntryType.NOOP, null));
        assertThat(st.hardState()).isEqualTo(new HardState(2, 0, e1 | 1, 2));
    }

    @Test
    void installedSnapshotReplacesTheLogAndSurvivesRestart() throws Exception {
        Path dir = tmp.resolve("d");
        Snapshot snap = new Snapshot(50, 4, Membership.voters(1, 2, 3), Readies.utf8("state at 50"));
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 60, 3), new HardState(3, 1, 10, 0)));
            s.persist(ready(new HardState(4, 0, 50, 0), Ready.NO_TRUNCATION, entries(51, 52, 4), snap));
        }
        PersistedState st = reopen(dir);
        assertThat(st.snapshot().index()).isEqualTo(50);
        assertThat(st.snapshot().term()).isEqualTo(4);
        assertThat(st.snapshot().membership()).isEqualTo(Membership.voters(1, 2, 3));
        assertThat(st.snapshot().data()).isEqualTo(Readies.utf8("state at 50"));
        assertThat(st.entries()).as("the old log (terms 3) is gone, the entries after the snapshot stay")
                .isEqualTo(entries(51, 52, 4));
        assertThat(st.hardState().commit()).isEqualTo(50);
    }

    @Test
    void compactionDeletesWholeSegmentsBelowTheSnapshotAndKeepsTheRest() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, null, 4096)) {
            for (long i = 1; i <= 300; i += 10) {
                s.persist(append(entries(i, i + 9, 1), new HardState(1, 1, i - 1, 0)));
            }
            int before = s.segmentFiles().size();
            assertThat(before).isGreaterThan(5);
            s.saveSnapshot(new Snapshot(250, 1, Membership.voters(1), Readies.utf8("image")));
            int after = s.segmentFiles().size();
            assertThat(after).isLessThan(before);
            assertThat(s.load().entries()).isEqualTo(entries(251, 300, 1));
            s.persist(append(entries(301, 305, 1), new HardState(1, 1, 300, 0)));
        }
        PersistedState st = reopen(dir);
        assertThat(st.snapshot().index()).isEqualTo(250);
        assertThat(st.entries()).isEqualTo(entries(251, 305, 1));
        assertThat(st.hardState()).isEqualTo(new HardState(1, 1, 300, 0));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".snap")).count()).isEqualTo(1);
        }
    }

    @Test
    void aSecondSnapshotReplacesTheFirstFile() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 20, 1), null));
            s.saveSnapshot(new Snapshot(10, 1, null, Readies.utf8("a")));
            s.saveSnapshot(new Snapshot(15, 1, null, Readies.utf8("b")));
            s.saveSnapshot(new Snapshot(12, 1, null, Readies.utf8("older: ignored")));
        }
        PersistedState st = reopen(dir);
        assertThat(st.snapshot().data()).isEqualTo(Readies.utf8("b"));
        assertThat(st.snapshot().membership()).isNull();
        assertThat(st.entries()).isEqualTo(entries(16, 20, 1));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".snap")))
                    .containsExactly(SnapshotFile.name(15, 1));
        }
    }

    @Test
    void tornTailIsDroppedAtEveryByteOffsetOfTheLastRecord() throws Exception {
        Path dir = tmp.resolve("d");
        long lastRecordStart;
        long end;
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 5, 1), new HardState(1, 1, 3, 0)));
            lastRecordStart = Files.size(onlySegment(dir));
            s.persist(append(List.of(entry(6, 1)), null)); // exactly one record
            end = Files.size(onlySegment(dir));
        }
        assertThat(end - lastRecordStart).isGreaterThan(WalFormat.RECORD_HEADER);
        byte[] full = Files.readAllBytes(onlySegment(dir));
        for (long cut = lastRecordStart; cut < end; cut++) {
            Path copy = tmp.resolve("cut-" + cut);
            copyDir(dir, copy);
            Path seg = onlySegment(copy);
            Files.write(seg, java.util.Arrays.copyOf(full, (int) cut));
            PersistedState st = reopen(copy);
            assertThat(st.entries()).as("cut at byte %d", cut).isEqualTo(entries(1, 5, 1));
            assertThat(st.hardState()).isEqualTo(new HardState(1, 1, 3, 0));
            assertThat(Files.size(seg)).as("torn bytes removed from the file").isEqualTo(lastRecordStart);
        }
        // After recovery the log takes new writes where the torn record was.
        Path copy = tmp.resolve("cut-" + (end - 1));
        try (FileNodeStorage s = open(copy)) {
            s.persist(append(entries(6, 7, 2), null));
        }
        assertThat(reopen(copy).entries()).hasSize(7).endsWith(entry(7, 2));
    }

    @Test
    void aTornBatchLosesAllOfItNeverEntriesWithoutTheirHardState() throws Exception {
        Path dir = tmp.resolve("d");
        long batchStart;
        long end;
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 5, 1), new HardState(1, 1, 3, 0)));
            batchStart = Files.size(onlySegment(dir));
            s.persist(ready(new HardState(2, 2, 5, 0), 5, entries(5, 9, 2), null)); // truncate, entries, hard state
            end = Files.size(onlySegment(dir));
        }
        byte[] full = Files.readAllBytes(onlySegment(dir));
        for (long cut = batchStart; cut < end; cut += 7) {
            Path copy = tmp.resolve("cut-" + cut);
            copyDir(dir, copy);
            Files.write(onlySegment(copy), java.util.Arrays.copyOf(full, (int) cut));
            PersistedState st = reopen(copy);
            assertThat(st.entries()).as("cut at byte %d", cut).isEqualTo(entries(1, 5, 1));
            assertThat(st.hardState()).as("cut at byte %d", cut).isEqualTo(new HardState(1, 1, 3, 0));
        }
        PersistedState whole = reopen(dir);
        assertThat(whole.entries()).isEqualTo(java.util.stream.Stream.concat(entries(1, 4, 1).stream(),
                entries(5, 9, 2).stream()).toList());
        assertThat(whole.hardState()).isEqualTo(new HardState(2, 2, 5, 0));
    }

    @Test
    void aZeroFilledTailIsTornNotCorrupt() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 3, 1), null));
        }
        Path seg = onlySegment(dir);
        Files.write(seg, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
        assertThat(reopen(dir).entries()).isEqualTo(entries(1, 3, 1));
    }

    @Test
    void aFlippedByteInTheMiddleIsRefusedWithFileOffsetAndFix() throws Exception {
        Path dir = tmp.resolve("d");
        long secondRecord;
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(List.of(entry(1, 1)), null));
            secondRecord = Files.size(onlySegment(dir));
            s.persist(append(List.of(entry(2, 1)), null));
            s.persist(append(List.of(entry(3, 1)), null));
        }
        Path seg = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) secondRecord + WalFormat.RECORD_HEADER + 3] ^= 0x10; // inside entry 2's payload
        Files.write(seg, bytes);
        CorruptStorageException e = catchThrowableOfType(CorruptStorageException.class, () -> open(dir));
        assertThat(e.file()).isEqualTo(seg);
        assertThat(e.offset()).isEqualTo(secondRecord);
        assertThat(e.getMessage()).isEqualTo(seg + " at offset " + secondRecord + ": a record's checksum does not match "
                + "(crc32c stored " + e.getMessage().split("stored ")[1].split(",")[0] + ", computed "
                + e.getMessage().split("computed ")[1].split("\\)")[0] + ") and valid records follow it. Fix: " + e.fix());
        assertThat(e.fix()).contains("do not edit or truncate the file by hand").contains("have this member replaced").doesNotContain("restart it with an empty");

        bytes[(int) secondRecord + WalFormat.RECORD_HEADER + 3] ^= 0x10;
        bytes[(int) secondRecord + 1] ^= 0x01; // the length field
        Files.write(seg, bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("at offset " + secondRecord + ": a record's length field is damaged");
    }

    @Test
    void aFlippedByteInTheLastRecordLooksLikeATornWriteAndDropsOnlyThatRecord() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 2, 1), null));
            s.persist(append(List.of(entry(3, 1)), null));
        }
        Path seg = onlySegment(dir);
        byte[] bytes = Files.readAllBytes(seg);
        bytes[bytes.length - 2] ^= 0x40;
        Files.write(seg, bytes);
        assertThat(reopen(dir).entries()).isEqualTo(entries(1, 2, 1));
    }

    @Test
    void damageInASegmentThatIsNotTheLastIsRefused() throws Exception {
        Path dir = tmp.resolve("d");
        List<Path> segs;
        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, null, 2048)) {
            for (long i = 1; i <= 60; i += 5) {
                s.persist(append(entries(i, i + 4, 1), null));
            }
            segs = new ArrayList<>(s.segmentFiles());
        }
        assertThat(segs.size()).isGreaterThan(2);
        Path first = segs.get(0);
        byte[] bytes = Files.readAllBytes(first);
        Files.write(first, java.util.Arrays.copyOf(bytes, bytes.length - 3)); // the end of a sealed segment
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageStartingWith(first.toString() + " at offset ")
                .hasMessageContaining("runs past the end of a segment that is not the last");

        Files.write(first, bytes);
        Files.delete(segs.get(1));
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessage(segs.get(1) + ": this log segment is missing (found " + first.getFileName() + " and "
                        + segs.get(2).getFileName() + "). Fix: restore the missing file, or " + CorruptStorageException.REPLACE_MEMBER);
    }

    @Test
    void aMissingOrDamagedSnapshotIsRefused() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 10, 1), null));
            s.saveSnapshot(new Snapshot(8, 1, Membership.voters(1), Readies.utf8("image")));
        }
        Path snap = dir.resolve(SnapshotFile.name(8, 1));
        byte[] bytes = Files.readAllBytes(snap);
        bytes[20] ^= 1;
        Files.write(snap, bytes);
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining(snap + " at offset " + (bytes.length - 4) + ": the snapshot's checksum does not match")
                .hasMessageContaining("have this member replaced").hasMessageNotContaining("restart the member empty");
        Files.delete(snap);
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining(snap + ": the log names this snapshot as current but the file is missing");
    }

    @Test
    void aSnapshotFileWithoutItsLogMarkIsALeftoverAndIsRemoved() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 10, 1), null));
        }
        Path leftover = dir.resolve(SnapshotFile.name(9, 1));
        Files.write(leftover, SnapshotFile.encode(new Snapshot(9, 1, null, new byte[] {1})).array());
        Files.write(dir.resolve("snap-x.snap.tmp"), new byte[] {1, 2});
        PersistedState st = reopen(dir);
        assertThat(st.snapshot()).isNull();
        assertThat(st.entries()).hasSize(10);
        assertThat(leftover).doesNotExist();
        assertThat(dir.resolve("snap-x.snap.tmp")).doesNotExist();
    }

    @Test
    void aDirectoryOfAnotherClusterOrMemberIsRefused() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            s.persist(append(entries(1, 3, 1), null));
        }
        ForeignStorageException other = catchThrowableOfType(ForeignStorageException.class,
                () -> FileNodeStorage.open(dir, "c2", 1, null));
        assertThat(other.getMessage()).isEqualTo(dir.resolve("identity") + ": this data directory belongs to cluster 'c1' "
                + "member 1, but this node is cluster 'c2' member 1. Fix: point the data directory (data_dir / dataDir / "
                + "BALLOT_DATA_DIR) at this member's own directory; if the old data is no longer wanted, move " + dir
                + " aside and start empty");
        assertThatThrownBy(() -> FileNodeStorage.open(dir, CLUSTER, 2, null)).isInstanceOf(ForeignStorageException.class)
                .hasMessageContaining("belongs to cluster 'c1' member 1, but this node is cluster 'c1' member 2");
        assertThat(reopen(dir).entries()).hasSize(3);
    }

    @Test
    void aDirectoryIsUsedByOneNodeAtATime() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = open(dir)) {
            assertThat(s.directory()).isEqualTo(dir);
            assertThatThrownBy(() -> open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("is already in use by another Ballot node");
        }
        open(dir).close();
    }

    @Test
    void aLogWithoutIdentityIsRefused() throws Exception {
        Path dir = tmp.resolve("d");
        open(dir).close();
        Files.delete(dir.resolve("identity"));
        assertThatThrownBy(() -> open(dir)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("identity: the identity file is missing but the directory holds a log");
    }

    @Test
    void segmentRolloverKeepsEverythingAcrossRestarts() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, null, 1024)) {
            for (long i = 1; i <= 200; i++) {
                s.persist(append(List.of(entry(i, 1 + i / 50)), new HardState(1 + i / 50, 1, i - 1, 0)));
            }
            assertThat(s.segmentFiles().size()).isGreaterThan(10);
        }
        PersistedState st = reopen(dir);
        assertThat(st.entries()).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(st.entries().get(i)).isEqualTo(entry(i + 1, 1 + (i + 1) / 50));
        }
        assertThat(st.hardState()).isEqualTo(new HardState(5, 1, 199, 0));
    }

    @Test
    void aSegmentCreatedJustBeforeACrashIsRemovedSoTheNextRolloverCanCreateIt() throws Exception {
        Path dir = tmp.resolve("d");
        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, null, 1024)) {
            for (long i = 1; i <= 30; i++) {
                s.persist(append(List.of(entry(i, 1)), new HardState(1, 1, i - 1, 0)));
            }
        }
        List<Path> segments;
        try (var files = Files.list(dir)) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("wal-")).sorted().toList();
        }
        String last = segments.get(segments.size() - 1).getFileName().toString();
        long next = Long.parseUnsignedLong(last.substring(4, 20), 16) + 1;
        // The crash came between creating the next segment and writing its header.
        Files.createFile(dir.resolve(FileNodeStorage.segmentName(next)));

        try (FileNodeStorage s = FileNodeStorage.open(dir, CLUSTER, 1, null, 1024)) {
            for (long i = 31; i <= 120; i++) {
                s.persist(append(List.of(entry(i, 1)), new HardState(1, 1, i - 1, 0)));
            }
            assertThat(s.segmentFiles().size()).isGreaterThan(segments.size() + 1);
        }
        assertThat(reopen(dir).entries()).hasSize(120);
    }
}
