package dev.ballot.node.storage;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/**
 * {@link NodeStorage} on a local directory:
 * <ul>
 *   <li>{@code identity}: the cluster id and member id the directory belongs to (written once, atomically);</li>
 *   <li>{@code wal-<n>.log}: write-ahead log segments of checksummed records (entries, truncations, hard state,
 *       snapshot marks). Each {@link #persist} writes one batch record (all of it survives a crash or none of it)
 *       with one write and one fsync (group commit). Hard
 *       state is a WAL record, so it is as atomic as any record and costs no extra fsync; every new segment starts with
 *       the current hard state and snapshot mark so that deleting old segments never loses them;</li>
 *   <li>{@code snap-<index>-<term>.snap}: the current snapshot, written to a temp file, fsynced, renamed, and the
 *       directory fsynced, before the WAL mark that makes it current;</li>
 *   <li>{@code LOCK}: held while open, so two processes never share a directory.</li>
 * </ul>
 * Recovery drops a torn tail (a record cut short by a crash at the end of the last segment) and refuses damage
 * anywhere else with a {@link CorruptStorageException}.
 */
public final class FileNodeStorage implements NodeStorage {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    static final String IDENTITY = "identity";
    static final String LOCK = "LOCK";
    private static final String FORMAT = "1";
    private static final System.Logger LOG = System.getLogger(FileNodeStorage.class.getName());

    private final Path dir;
    private final LongConsumer fsyncNanos;
    private final long segmentBytes;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final List<Segment> segments = new ArrayList<>();
    private FileChannel active;
    private HardState hardState = HardState.EMPTY;
    private WalRecord.SnapshotMark snapshotMark;
    private PersistedState recovered;
    private IOException failure;
    private boolean closed;

    /** One segment file: its number, where writes go next, and the highest entry index it still holds (-1: none). */
    private static final class Segment {
        final long seq;
        final Path path;
        long size;
        long maxLive = -1;

        Segment(long seq, Path path, long size) {
            this.seq = seq;
            this.path = path;
            this.size = size;
        }
    }

    private FileNodeStorage(Path dir, LongConsumer fsyncNanos, long segmentBytes, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.fsyncNanos = fsyncNanos == null ? n -> { } : fsyncNanos;
        this.segmentBytes = segmentBytes;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static FileNodeStorage open(Path dir, String clusterId, long nodeId, LongConsumer fsyncNanos)
            throws IOException, CorruptStorageException {
        return open(dir, clusterId, nodeId, fsyncNanos, DEFAULT_SEGMENT_BYTES);
    }

    /** As {@link #open(Path, String, long, LongConsumer)} with a segment size (small in tests to exercise rollover). */
    public static FileNodeStorage open(Path dir, String clusterId, long nodeId, LongConsumer fsyncNanos, long segmentBytes)
            throws IOException, CorruptStorageException {
        if (segmentBytes < 1024) {
            throw new IllegalArgumentException("segmentBytes must be at least 1024, got " + segmentBytes);
        }
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException(dir + " is already in use by another Ballot node (" + dir.resolve(LOCK)
                    + " is locked). Fix: stop the other process, or give this node its own data directory");
        }
        FileNodeStorage s = new FileNodeStorage(dir, fsyncNanos, segmentBytes, lockChannel, lock);
        try {
            s.checkIdentity(clusterId, nodeId);
            s.recover();
            return s;
        } catch (IOException | CorruptStorageException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    // ---- identity ----

    private void checkIdentity(String clusterId, long nodeId) throws IOException, CorruptStorageException {
        Path file = dir.resolve(IDENTITY);
        if (!Files.exists(file)) {
            if (!walFiles().isEmpty() || !snapshotFiles().isEmpty()) {
                throw new CorruptStorageException(file, -1, "the identity file is missing but the directory holds a log",
                        "this directory was not written by a Ballot node of this version, or was damaged; "
                                + CorruptStorageException.REPLACE_MEMBER);
            }
            String text = "format=" + FORMAT + "\ncluster_id=" + clusterId + "\nnode_id=" + nodeId + "\n";
            Durable.writeAtomically(file, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!FORMAT.equals(values.get("format")) || !values.containsKey("cluster_id") || !values.containsKey("node_id")) {
            throw new CorruptStorageException(file, -1, "the identity file is unreadable or of an unknown format "
                    + values, "restore the file, or " + CorruptStorageException.REPLACE_MEMBER);
        }
        String storedCluster = values.get("cluster_id");
        String storedNode = values.get("node_id");
        if (!storedCluster.equals(clusterId) || !storedNode.equals(Long.toString(nodeId))) {
            throw new ForeignStorageException(file, "this data directory belongs to cluster '" + storedCluster + "' member "
                    + storedNode + ", but this node is cluster '" + clusterId + "' member " + nodeId,
                    "point the data directory (data_dir / dataDir / BALLOT_DATA_DIR) at this member's own directory; "
                            + "if the old data is no longer wanted, move " + dir + " aside and start empty");
        }
    }

    // ---- recovery ----

    private List<Path> walFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> segmentSeq(p) >= 0).sorted((a, b) -> Long.compare(segmentSeq(a), segmentSeq(b))).toList();
        }
    }

    private List<Path> snapshotFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> SnapshotFile.parseName(p.getFileName().toString()) != null).toList();
        }
    }

    static String segmentName(long seq) {
        return String.format("wal-%016x.log", seq);
    }

    private static long segmentSeq(Path p) {
        String n = p.getFileName().toString();
        if (!n.startsWith("wal-") || !n.endsWith(".log") || n.length() != 24) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(n.substring(4, 20), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The log as replayed from the segments. */
    private record Replay(TreeMap<Long, LogEntry> entries, HardState hardState, WalRecord.SnapshotMark mark,
                          List<Segment> segments) {
    }

    private Replay replay(boolean repair) throws IOException, CorruptStorageException {
        List<Path> files = walFiles();
        TreeMap<Long, LogEntry> entries = new TreeMap<>();
        HardState hs = HardState.EMPTY;
        WalRecord.SnapshotMark mark = null;
        List<Segment> segs = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long seq = segmentSeq(file);
            if (i > 0 && seq != segmentSeq(files.get(i - 1)) + 1) {
                throw new CorruptStorageException(dir.resolve(segmentName(segmentSeq(files.get(i - 1)) + 1)), -1,
                        "this log segment is missing (found " + files.get(i - 1).getFileName() + " and " + file.getFileName()
                                + ")", "restore the missing file, or " + CorruptStorageException.REPLACE_MEMBER);
            }
            boolean last = i == files.size() - 1;
            byte[] bytes = Files.readAllBytes(file);
            WalFormat.Scan scan = WalFormat.scan(file, seq, bytes, last);
            if (scan.tornBytes() > 0 && repair) {
                LOG.log(System.Logger.Level.WARNING, file + ": dropping a torn tail of " + scan.tornBytes() + " bytes at offset " + scan.validEnd() + " "
                        + "(a write cut short by a crash; it was never acknowledged)");
            }
            if (scan.validEnd() < WalFormat.SEGMENT_HEADER) {
                // Created just before a crash, before even its header was written (an empty file tears nothing):
                // it holds nothing acknowledged, and left in place it would stop the next rollover, which must
                // create this very file.
                if (repair) {
                    Files.delete(file);
                    Durable.syncDirectory(dir);
                }
                continue;
            }
            if (scan.tornBytes() > 0 && repair) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(scan.validEnd());
                    ch.force(true);
                }
            }
            Segment seg = new Segment(seq, file, scan.validEnd());
            segs.add(seg);
            for (WalRecord r : flatten(scan.records())) {
                if (r instanceof WalRecord.Entry e) {
                    long index = e.entry().index();
                    entries.tailMap(index, true).clear();
                    entries.put(index, e.entry());
                    seg.maxLive = Math.max(seg.maxLive, index);
                } else if (r instanceof WalRecord.Truncate t) {
                    entries.tailMap(t.from(), true).clear();
                    for (Segment s : segs) {
                        s.maxLive = Math.min(s.maxLive, t.from() - 1);
                    }
                } else if (r instanceof WalRecord.State st) {
                    hs = st.hardState();
                } else if (r instanceof WalRecord.SnapshotMark m) {
                    mark = m;
                    if (m.kind() == WalRecord.SnapshotMark.Kind.INSTALL) {
                        entries.clear();
                        for (Segment s : segs) {
                            s.maxLive = -1;
                        }
                    } else {
                        entries.headMap(m.index(), true).clear();
                    }
                }
            }
        }
        if (!segs.isEmpty() && segs.get(0).seq > 1 && mark == null) {
            throw new CorruptStorageException(segs.get(0).path, -1, "log segments before this one are missing and no "
                    + "snapshot covers them", "restore the missing files, or " + CorruptStorageException.REPLACE_MEMBER);
        }
        return new Replay(entries, hs, mark, segs);
    }

    private static List<WalRecord> flatten(List<WalRecord> records) {
        List<WalRecord> flat = new ArrayList<>(records.size());
        for (WalRecord r : records) {
            if (r instanceof WalRecord.Batch b) {
                flat.addAll(b.records());
            } else {
                flat.add(r);
            }
        }
        return flat;
    }

    private void recover() throws IOException, CorruptStorageException {
        Replay r = replay(true);
        Snapshot snapshot = null;
        Path current = null;
        if (r.mark() != null) {
            current = dir.resolve(SnapshotFile.name(r.mark().index(), r.mark().term()));
            if (!Files.exists(current)) {
                throw new CorruptStorageException(current, -1, "the log names this snapshot as current but the file is "
                        + "missing", "restore the file, or " + CorruptStorageException.REPLACE_MEMBER);
            }
            snapshot = SnapshotFile.read(current);
        } else if (r.segments().isEmpty() && !snapshotFiles().isEmpty()) {
            throw new CorruptStorageException(dir, -1, "snapshot files exist but the write-ahead log is gone",
                    "restore the wal-*.log files, or " + CorruptStorageException.REPLACE_MEMBER);
        }
        // Snapshots the log does not name are leftovers of a crash before their mark was written, or old ones.
        for (Path p : snapshotFiles()) {
            if (!p.equals(current)) {
                Files.delete(p);
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(Durable.TMP_SUFFIX)).toList()) {
                Files.delete(p);
            }
        }
        segments.addAll(r.segments());
        hardState = r.hardState();
        snapshotMark = r.mark();
        if (segments.isEmpty()) {
            startSegment(1, new ByteArrayOutputStream());
        } else {
            Segment last = segments.get(segments.size() - 1);
            active = FileChannel.open(last.path, StandardOpenOption.WRITE);
            active.position(last.size);
        }
        recovered = state(r.entries(), r.hardState(), snapshot);
    }

    private static PersistedState state(TreeMap<Long, LogEntry> entries, HardState hs, Snapshot snapshot) {
        List<LogEntry> after = snapshot == null ? new ArrayList<>(entries.values())
                : new ArrayList<>(entries.tailMap(snapshot.index(), false).values());
        return new PersistedState(hs, snapshot, after);
    }

    @Override
    public synchronized PersistedState load() throws CorruptStorageException {
        if (recovered != null) {
            return recovered;
        }
        try {
            Replay r = replay(false);
            Snapshot snapshot = r.mark() == null ? null
                    : SnapshotFile.read(dir.resolve(SnapshotFile.name(r.mark().index(), r.mark().term())));
            return state(r.entries(), r.hardState(), snapshot);
        } catch (IOException e) {
            throw new CorruptStorageException(dir, -1, "cannot read the log (" + e + ")",
                    "check the disk and the directory's permissions");
        }
    }

    // ---- writing ----

    private void startSegment(long seq, ByteArrayOutputStream out) throws IOException {
        Path path = dir.resolve(segmentName(seq));
        if (active != null) {
            active.close();
        }
        active = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer header = WalFormat.segmentHeader(seq);
        out.writeBytes(header.array());
        WalFormat.encode(new WalRecord.State(hardState), out);
        if (snapshotMark != null) {
            WalFormat.encode(new WalRecord.SnapshotMark(WalRecord.SnapshotMark.Kind.REF, snapshotMark.index(),
                    snapshotMark.term()), out);
        }
        segments.add(new Segment(seq, path, 0));
        if (seq == 1) {
            // The first segment is written now so that a directory always has a log once it has an identity.
            writeAndSync(out.toByteArray());
            Durable.syncDirectory(dir);
            out.reset();
        }
    }

    private Segment activeSegment() {
        return segments.get(segments.size() - 1);
    }

    private void writeAndSync(byte[] bytes) throws IOException {
        Durable.writeFully(active, ByteBuffer.wrap(bytes));
        long t0 = System.nanoTime();
        active.force(false);
        fsyncNanos.accept(System.nanoTime() - t0);
        activeSegment().size += bytes.length;
    }

    private void ensureUsable() throws IOException {
        if (closed) {
            throw new IOException("storage in " + dir + " is closed");
        }
        if (failure != null) {
            throw new IOException("storage in " + dir + " failed earlier and cannot be trusted; restart the node", failure);
        }
    }

    @Override
    public synchronized void persist(Ready ready) throws IOException {
        ensureUsable();
        if (!ready.mustSync()) {
            return;
        }
        try {
            recovered = null;
            Snapshot snapshot = ready.snapshot();
            if (snapshot != null) {
                Durable.writeAtomically(dir.resolve(SnapshotFile.name(snapshot.index(), snapshot.term())),
                        SnapshotFile.encode(snapshot));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean newSegment = activeSegment().size >= segmentBytes;
            if (newSegment) {
                startSegment(activeSegment().seq + 1, out);
            }
            List<WalRecord> batch = new ArrayList<>(ready.entries().size() + 3);
            if (ready.truncateFrom() != Ready.NO_TRUNCATION) {
                batch.add(new WalRecord.Truncate(ready.truncateFrom()));
            }
            if (snapshot != null) {
                batch.add(new WalRecord.SnapshotMark(WalRecord.SnapshotMark.Kind.INSTALL, snapshot.index(), snapshot.term()));
            }
            for (LogEntry e : ready.entries()) {
                batch.add(new WalRecord.Entry(e));
            }
            if (ready.hardState() != null) {
                batch.add(new WalRecord.State(ready.hardState()));
            }
            WalFormat.encode(batch.size() == 1 ? batch.get(0) : new WalRecord.Batch(batch), out);
            writeAndSync(out.toByteArray());
            if (newSegment) {
                Durable.syncDirectory(dir);
            }
            if (ready.truncateFrom() != Ready.NO_TRUNCATION) {
                for (Segment s : segments) {
                    s.maxLive = Math.min(s.maxLive, ready.truncateFrom() - 1);
                }
            }
            if (snapshot != null) {
                for (Segment s : segments) {
                    s.maxLive = -1;
                }
            }
            Segment seg = activeSegment();
            for (LogEntry e : ready.entries()) {
                seg.maxLive = Math.max(seg.maxLive, e.index());
            }
            if (ready.hardState() != null) {
                hardState = ready.hardState();
            }
            if (snapshot != null) {
                makeCurrent(new WalRecord.SnapshotMark(WalRecord.SnapshotMark.Kind.INSTALL, snapshot.index(), snapshot.term()));
            }
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
    }

    @Override
    public synchronized void saveSnapshot(Snapshot snapshot) throws IOException {
        ensureUsable();
        if (snapshotMark != null && snapshot.index() < snapshotMark.index()) {
            return; // an older image than the one already current: nothing to gain
        }
        try {
            recovered = null;
            Durable.writeAtomically(dir.resolve(SnapshotFile.name(snapshot.index(), snapshot.term())),
                    SnapshotFile.encode(snapshot));
            WalRecord.SnapshotMark mark = new WalRecord.SnapshotMark(WalRecord.SnapshotMark.Kind.COMPACT, snapshot.index(),
                    snapshot.term());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            WalFormat.encode(mark, out);
            writeAndSync(out.toByteArray());
            makeCurrent(mark);
        } catch (IOException | RuntimeException e) {
            failure = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
    }

    /** After the mark is durable: drop the previous snapshot file and every whole segment the snapshot covers. */
    private void makeCurrent(WalRecord.SnapshotMark mark) throws IOException {
        WalRecord.SnapshotMark previous = snapshotMark;
        snapshotMark = mark;
        if (previous != null && (previous.index() != mark.index() || previous.term() != mark.term())) {
            Files.deleteIfExists(dir.resolve(SnapshotFile.name(previous.index(), previous.term())));
        }
        // Oldest first, one directory sync each: a crash can only bring back the newest deletion, never leave a gap.
        while (segments.size() > 1 && segments.get(0).maxLive <= mark.index()) {
            Files.delete(segments.get(0).path);
            Durable.syncDirectory(dir);
            segments.remove(0);
        }
    }

    /** Segment files currently on disk (for tests and the benchmark). */
    synchronized List<Path> segmentFiles() {
        return segments.stream().map(s -> s.path).toList();
    }

    public Path directory() {
        return dir;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (active != null) {
                active.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + dir + ": " + e);
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing " + dir.resolve(LOCK) + ": " + e);
        }
    }
}
