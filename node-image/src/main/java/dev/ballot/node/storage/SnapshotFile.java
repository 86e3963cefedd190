package dev.ballot.node.storage;

import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Snapshot;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A snapshot file {@code snap-<index>-<term>.snap} (hex): magic {@code BALSNP01}, index, term, membership
 * (length -1 when absent), data, crc32c of everything before it.
 */
final class SnapshotFile {
    static final byte[] MAGIC = "BALSNP01".getBytes(StandardCharsets.US_ASCII);
    static final String PREFIX = "snap-";
    static final String SUFFIX = ".snap";

    private SnapshotFile() {
    }

    static String name(long index, long term) {
        return PREFIX + String.format("%016x-%016x", index, term) + SUFFIX;
    }

    /** [index, term] from a file name, or null when it is not a snapshot file name. */
    static long[] parseName(String name) {
        if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.length() != PREFIX.length() + 33 + SUFFIX.length()) {
            return null;
        }
        try {
            String core = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
            return new long[] {Long.parseUnsignedLong(core.substring(0, 16), 16), Long.parseUnsignedLong(core.substring(17), 16)};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static ByteBuffer encode(Snapshot s) {
        byte[] membership = s.membership() == null ? null : MembershipCodec.encode(s.membership());
        int size = MAGIC.length + 8 + 8 + 4 + (membership == null ? 0 : membership.length) + 4 + s.data().length + 4;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).putLong(s.index()).putLong(s.term());
        b.putInt(membership == null ? -1 : membership.length);
        if (membership != null) {
            b.put(membership);
        }
        b.putInt(s.data().length).put(s.data());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    static Snapshot read(Path file) throws CorruptStorageException {
        String fix = "the snapshot this member relies on is damaged or missing: " + CorruptStorageException.REPLACE_MEMBER;
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CorruptStorageException(file, -1, "cannot read the current snapshot (" + e + ")", fix);
        }
        if (bytes.length < MAGIC.length + 28) {
            throw new CorruptStorageException(file, 0, "the snapshot file is cut short (" + bytes.length + " bytes)", fix);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != b.getInt(bytes.length - 4)) {
            throw new CorruptStorageException(file, bytes.length - 4, "the snapshot's checksum does not match", fix);
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get() != MAGIC[i]) {
                throw new CorruptStorageException(file, 0, "not a Ballot snapshot file (bad magic)", fix);
            }
        }
        try {
            long index = b.getLong();
            long term = b.getLong();
            int mlen = b.getInt();
            Membership membership = null;
            if (mlen >= 0) {
                byte[] m = new byte[mlen];
                b.get(m);
                membership = MembershipCodec.decode(m);
            }
            byte[] data = new byte[b.getInt()];
            b.get(data);
            return new Snapshot(index, term, membership, data);
        } catch (BufferUnderflowException | NegativeArraySizeException | MalformedMessageException e) {
            throw new CorruptStorageException(file, -1, "the snapshot's contents are malformed (" + e.getMessage() + ")", fix);
        }
    }
}
