package dev.ballot.node.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One encoded message on its way out in {@link Chunk}s. The sender writes one chunk at a time and sends the peer's
 * other (small) messages between two chunks, so heartbeats and votes are not stuck behind a snapshot.
 */
final class ChunkedSend {
    private final long transfer;
    private final byte[] message;
    private final byte[] sha256;
    private final int chunkBytes;
    private int offset;

    ChunkedSend(long transfer, byte[] message, int chunkBytes) {
        this.transfer = transfer;
        this.message = message;
        this.chunkBytes = chunkBytes;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256").digest(message);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    boolean done() {
        return offset >= message.length;
    }

    int size() {
        return message.length;
    }

    void writeNext(OutputStream out, int slice, Runnable progress) throws IOException {
        int length = Math.min(chunkBytes, message.length - offset);
        Chunk.write(out, transfer, message, sha256, offset, length, slice, progress);
        offset += length;
    }
}
