package dev.ballot.node.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One slice of a message sent in pieces (in practice a snapshot, which outgrows any sensible frame): the frame payload
 * is {@code [transfer u64][offset u64][total u64][sha256 32 bytes][data]}. Every chunk repeats the whole message's
 * length and SHA-256, so the receiver checks each chunk against the transfer it continues and the assembled message
 * against its checksum before anything is decoded. Pure: parsing is fuzzable, as {@link FrameDecoder} is.
 */
public record Chunk(long transfer, long offset, long total, byte[] sha256, byte[] data) {
    public static final int SHA256_BYTES = 32;
    /** Bytes of a chunk payload before its data. */
    public static final int HEADER = 8 + 8 + 8 + SHA256_BYTES;

    public static Chunk parse(byte[] payload) throws FrameException {
        if (payload.length < HEADER) {
            throw new FrameException("chunk frame of " + payload.length + " bytes is shorter than its " + HEADER
                    + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(payload);
        long transfer = b.getLong();
        long offset = b.getLong();
        long total = b.getLong();
        byte[] sha = new byte[SHA256_BYTES];
        b.get(sha);
        byte[] data = Arrays.copyOfRange(payload, HEADER, payload.length);
        if (offset < 0 || total <= 0 || data.length == 0 || offset + data.length > total) {
            throw new FrameException("chunk of transfer " + transfer + " at offset " + offset + " with " + data.length
                    + " bytes does not fit its message of " + total + " bytes");
        }
        return new Chunk(transfer, offset, total, sha, data);
    }

    /**
     * Writes the frame of the chunk {@code message[offset, offset + length)} without copying the slice, in writes of at
     * most {@code slice} bytes; {@code progress} runs after each (the stall watchdog's clock).
     */
    static void write(OutputStream out, long transfer, byte[] message, byte[] sha256, int offset, int length, int slice,
                      Runnable progress) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(Frame.LENGTH_FIELD + Frame.MIN_LENGTH + HEADER);
        head.putInt(Frame.MIN_LENGTH + HEADER + length).put(Frame.VERSION).put(Frame.Type.CHUNK.code)
                .putLong(transfer).putLong(offset).putLong(message.length).put(sha256);
        out.write(head.array());
        for (int off = offset; off < offset + length; off += slice) {
            out.write(message, off, Math.min(slice, offset + length - off));
            progress.run();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && c.transfer == transfer && c.offset == offset && c.total == total
                && Arrays.equals(c.sha256, sha256) && Arrays.equals(c.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(transfer) * 31 + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return "Chunk[transfer " + transfer + ", " + offset + "+" + data.length + " of " + total + "]";
    }
}
