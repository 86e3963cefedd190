package dev.ballot.node.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Reassembles the {@link Chunk}s of one connection into whole messages, in a spool file rather than a growing buffer:
 * a large snapshot is held once, at its final size, only after its last chunk arrived and its SHA-256 matched.
 * Chunks of a transfer arrive in order on one connection (small messages may come between them). A chunk at offset 0
 * starts a new transfer and discards an unfinished one; a chunk that does not continue the current transfer, a
 * message over the size limit or a checksum mismatch is a broken stream ({@link FrameException}: the connection
 * closes). {@link #close} (the connection ended) deletes an unfinished transfer's file, so an interrupted transfer
 * leaves nothing behind and the sender's next attempt starts from offset 0.
 */
final class ChunkAssembler implements AutoCloseable {
    private final Path spoolDir;
    private final long maxMessageBytes;
    private Path file;
    private FileChannel channel;
    private MessageDigest digest;
    private long transfer;
    private long total;
    private byte[] sha256;
    private long received;

    ChunkAssembler(Path spoolDir, long maxMessageBytes) {
        this.spoolDir = spoolDir;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** The whole message once {@code c} completes it (checked), else null. */
    byte[] accept(Chunk c) throws FrameException, IOException {
        if (c.offset() == 0) {
            start(c);
        } else if (file == null || c.transfer() != transfer || c.offset() != received || c.total() != total
                || !Arrays.equals(c.sha256(), sha256)) {
            throw new FrameException("chunk of transfer " + c.transfer() + " at offset " + c.offset()
                    + " does not continue " + (file == null ? "any transfer"
                    : "transfer " + transfer + " (expected offset " + received + " of " + total + ")"));
        }
        ByteBuffer data = ByteBuffer.wrap(c.data());
        while (data.hasRemaining()) {
            channel.write(data);
        }
        digest.update(c.data());
        received += c.data().length;
        if (received < total) {
            return null;
        }
        byte[] actual = digest.digest();
        if (!MessageDigest.isEqual(actual, sha256)) {
            discard();
            throw new FrameException("chunked message of transfer " + c.transfer() + " (" + c.total()
                    + " bytes) does not match its SHA-256: corrupted in transit");
        }
        byte[] whole = new byte[(int) total];
        ByteBuffer into = ByteBuffer.wrap(whole);
        channel.position(0);
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("spool file " + file + " ended before " + total + " bytes");
            }
        }
        discard();
        return whole;
    }

    /** Bytes of the unfinished transfer so far (0 when none). */
    long pending() {
        return file == null ? 0 : received;
    }

    private void start(Chunk c) throws FrameException, IOException {
        discard();
        if (c.total() > maxMessageBytes) {
            throw new FrameException("chunked message of " + c.total() + " bytes exceeds the limit of "
                    + maxMessageBytes + " bytes (maxMessageBytes)");
        }
        Files.createDirectories(spoolDir);
        file = Files.createTempFile(spoolDir, "transfer-", ChunkSpool.SUFFIX);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE);
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        transfer = c.transfer();
        total = c.total();
        sha256 = c.sha256().clone();
        received = 0;
    }

    private void discard() throws IOException {
        if (channel != null) {
            channel.close(); // DELETE_ON_CLOSE
        }
        if (file != null) {
            Files.deleteIfExists(file);
        }
        channel = null;
        file = null;
        digest = null;
        received = 0;
    }

    @Override
    public void close() throws IOException {
        discard();
    }
}
