package dev.ballot.node.storage;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The segment file format. A segment starts with a 16-byte header (magic {@code BALWAL01}, segment number); then
 * records, each {@code [length u32][~length u32][crc32c(payload) u32][payload]}. The inverted length lets recovery
 * tell a damaged length field (corruption) from a record cut short by a crash (a torn tail).
 */
final class WalFormat {
    static final byte[] MAGIC = "BALWAL01".getBytes(StandardCharsets.US_ASCII);
    static final int SEGMENT_HEADER = 16;
    static final int RECORD_HEADER = 12;
    static final int MAX_RECORD = 256 << 20;

    private static final byte ENTRY = 1;
    private static final byte TRUNCATE = 2;
    private static final byte STATE = 3;
    private static final byte SNAPSHOT = 4;
    private static final byte BATCH = 5;
    private static final EntryType[] ENTRY_TYPES = EntryType.values();
    private static final WalRecord.SnapshotMark.Kind[] MARK_KINDS = WalRecord.SnapshotMark.Kind.values();

    private WalFormat() {
    }

    static ByteBuffer segmentHeader(long seq) {
        ByteBuffer b = ByteBuffer.allocate(SEGMENT_HEADER);
        b.put(MAGIC).putLong(seq).flip();
        return b;
    }

    /** Appends one framed record to {@code out}. */
    static void encode(WalRecord record, ByteArrayOutputStream out) {
        byte[] payload = payload(record);
        if (payload.length > MAX_RECORD) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes exceeds the " + MAX_RECORD
                    + "-byte limit (entry too large)");
        }
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer h = ByteBuffer.allocate(RECORD_HEADER);
        h.putInt(payload.length).putInt(~payload.length).putInt((int) crc.getValue());
        out.writeBytes(h.array());
        out.writeBytes(payload);
    }

    private static byte[] payload(WalRecord record) {
        if (record instanceof WalRecord.Batch batch) {
            List<byte[]> parts = new ArrayList<>();
            long size = 1 + 4;
            for (WalRecord r : batch.records()) {
                if (r instanceof WalRecord.Batch) {
                    throw new IllegalArgumentException("a batch cannot hold a batch");
                }
                byte[] part = payload(r);
                parts.add(part);
                size += 4 + part.length;
            }
            if (size > MAX_RECORD) {
                throw new IllegalArgumentException("a persist of " + size + " bytes exceeds the " + MAX_RECORD
                        + "-byte limit of one batch; persist fewer entries at a time");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size).put(BATCH).putInt(parts.size());
            for (byte[] part : parts) {
                b.putInt(part.length).put(part);
            }
            return b.array();
        }
        if (record instanceof WalRecord.Entry e) {
            LogEntry le = e.entry();
            return ByteBuffer.allocate(1 + 8 + 8 + 1 + le.data().length).put(ENTRY).putLong(le.index()).putLong(le.term())
                    .put((byte) le.type().ordinal()).put(le.data()).array();
        }
        if (record instanceof WalRecord.Truncate t) {
            return ByteBuffer.allocate(9).put(TRUNCATE).putLong(t.from()).array();
        }
        if (record instanceof WalRecord.State s) {
            HardState h = s.hardState();
            return ByteBuffer.allocate(33).put(STATE).putLong(h.term()).putLong(h.vote()).putLong(h.commit())
                    .putLong(h.acceptedEpoch()).array();
        }
        WalRecord.SnapshotMark m = (WalRecord.SnapshotMark) record;
        return ByteBuffer.allocate(18).put(SNAPSHOT).put((byte) m.kind().ordinal()).putLong(m.index()).putLong(m.term())
                .array();
    }

    /** The records of one segment, and where its valid part ends. {@code tornBytes} &gt; 0 only for the last segment. */
    record Scan(List<WalRecord> records, long validEnd, long tornBytes) {
    }

    /**
     * Reads a segment. In the last segment an incomplete record at the end is a torn tail (a crash during its write)
     * and is reported, not thrown; anywhere else a bad record is corruption.
     */
    static Scan scan(Path file, long expectedSeq, byte[] bytes, boolean last) throws CorruptStorageException {
        List<WalRecord> records = new ArrayList<>();
        int len = bytes.length;
        if (len < SEGMENT_HEADER || !header(bytes, expectedSeq)) {
            if (last && (len < SEGMENT_HEADER || allZero(bytes, 0))) {
                return new Scan(records, 0, len);
            }
            throw corrupt(file, 0, len < SEGMENT_HEADER ? "the segment header is cut short (" + len + " bytes)"
                    : "the segment header is not a Ballot WAL header for segment " + expectedSeq);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int pos = SEGMENT_HEADER;
        while (pos < len) {
            int remaining = len - pos;
            if (remaining < RECORD_HEADER) {
                if (last) {
                    return new Scan(records, pos, remaining);
                }
                throw corrupt(file, pos, "a record header is cut short at the end of a segment that is not the last");
            }
            int n = buf.getInt(pos);
            int check = buf.getInt(pos + 4);
            int crc = buf.getInt(pos + 8);
            if (n != ~check || n < 1 || n > MAX_RECORD) {
                if (last && allZero(bytes, pos)) {
                    return new Scan(records, pos, remaining);
                }
                throw corrupt(file, pos, "a record's length field is damaged (length " + n + ", check " + ~check + ")");
            }
            if (RECORD_HEADER + (long) n > remaining) {
                if (last) {
                    return new Scan(records, pos, remaining);
                }
                throw corrupt(file, pos, "a record of " + n + " bytes runs past the end of a segment that is not the last");
            }
            CRC32C c = new CRC32C();
            c.update(bytes, pos + RECORD_HEADER, n);
            if ((int) c.getValue() != crc) {
                if (last && pos + RECORD_HEADER + n == len) {
                    return new Scan(records, pos, remaining);
                }
                throw corrupt(file, pos, "a record's checksum does not match (crc32c stored " + Integer.toHexString(crc)
                        + ", computed " + Integer.toHexString((int) c.getValue()) + ") and valid records follow it");
            }
            records.add(decode(file, pos, ByteBuffer.wrap(bytes, pos + RECORD_HEADER, n).slice()));
            pos += RECORD_HEADER + n;
        }
        return new Scan(records, pos, 0);
    }

    private static boolean header(byte[] bytes, long expectedSeq) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return ByteBuffer.wrap(bytes, 8, 8).getLong() == expectedSeq;
    }

    private static boolean allZero(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static WalRecord decode(Path file, int pos, ByteBuffer p) throws CorruptStorageException {
        try {
            byte type = p.get();
            WalRecord r = switch (type) {
                case ENTRY -> {
                    long index = p.getLong();
                    long term = p.getLong();
                    int t = p.get();
                    if (t < 0 || t >= ENTRY_TYPES.length) {
                        throw corrupt(file, pos, "an entry has unknown type " + t);
                    }
                    byte[] data = new byte[p.remaining()];
                    p.get(data);
                    yield new WalRecord.Entry(new LogEntry(index, term, ENTRY_TYPES[t], data));
                }
                case TRUNCATE -> new WalRecord.Truncate(p.getLong());
                case STATE -> new WalRecord.State(new HardState(p.getLong(), p.getLong(), p.getLong(), p.getLong()));
                case BATCH -> {
                    int count = p.getInt();
                    if (count < 0 || count > p.remaining() / 4) {
                        throw corrupt(file, pos, "a batch claims " + count + " records");
                    }
                    List<WalRecord> inner = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        int len = p.getInt();
                        if (len < 1 || len > p.remaining()) {
                            throw corrupt(file, pos, "record " + i + " of a batch has length " + len);
                        }
                        ByteBuffer part = p.slice().limit(len);
                        p.position(p.position() + len);
                        if (part.get(0) == BATCH) {
                            throw corrupt(file, pos, "a batch holds a batch");
                        }
                        inner.add(decode(file, pos, part));
                    }
                    yield new WalRecord.Batch(inner);
                }
                case SNAPSHOT -> {
                    int k = p.get();
                    if (k < 0 || k >= MARK_KINDS.length) {
                        throw corrupt(file, pos, "a snapshot mark has unknown kind " + k);
                    }
                    yield new WalRecord.SnapshotMark(MARK_KINDS[k], p.getLong(), p.getLong());
                }
                default -> throw corrupt(file, pos, "a record has unknown type " + type
                        + " (written by a newer Ballot version?)");
            };
            if (p.hasRemaining()) {
                throw corrupt(file, pos, "a record has " + p.remaining() + " unexpected trailing bytes");
            }
            return r;
        } catch (java.nio.BufferUnderflowException e) {
            throw corrupt(file, pos, "a record is shorter than its type requires");
        }
    }

    static CorruptStorageException corrupt(Path file, long offset, String problem) {
        return new CorruptStorageException(file, offset, problem,
                "do not edit or truncate the file by hand: records that were acknowledged may be behind this point. "
                        + "Stop this member, and " + CorruptStorageException.REPLACE_MEMBER);
    }
}
