package dev.ballot.node.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * @param maxFrameBytes        largest frame accepted or sent (bytes after the length prefix); bigger ones close the
 *                             connection when received
 * @param sendQueueCapacity    messages queued per peer; when full, {@link PeerTransport#send} drops and counts
 * @param reconnectBackoffMin  first wait after a failed connection; doubles up to the max, with jitter
 * @param reconnectBackoffMax  longest wait between connection attempts
 * @param chunkBytes           a message whose frame would be larger goes in {@link Chunk}s of this many bytes (at most
 *                             {@code maxFrameBytes} with the chunk header)
 * @param maxMessageBytes      largest message accepted in chunks (or sent: a bigger one is dropped and counted)
 * @param spoolDir             where chunked messages are reassembled (files {@code transfer-*.part})
 */
public record TransportOptions(int maxFrameBytes, int sendQueueCapacity, Duration reconnectBackoffMin,
                               Duration reconnectBackoffMax, int chunkBytes, long maxMessageBytes, Path spoolDir) {
    /** 4 MiB chunks: a snapshot moves in pieces that leave room for heartbeats between them. */
    public static final int DEFAULT_CHUNK_BYTES = 4 << 20;
    /** The largest message a Java array can hold once reassembled. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = Integer.MAX_VALUE - 1024;

    public TransportOptions {
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 64, got " + maxFrameBytes);
        }
        if (sendQueueCapacity < 1) {
            throw new IllegalArgumentException("sendQueueCapacity must be at least 1, got " + sendQueueCapacity);
        }
        if (reconnectBackoffMin.isNegative() || reconnectBackoffMin.isZero()
                || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("need 0 < reconnectBackoffMin <= reconnectBackoffMax, got "
                    + reconnectBackoffMin + " and " + reconnectBackoffMax);
        }
        if (chunkBytes < 1 || chunkBytes > maxFrameBytes - Frame.MIN_LENGTH - Chunk.HEADER) {
            throw new IllegalArgumentException("chunkBytes must be between 1 and maxFrameBytes - "
                    + (Frame.MIN_LENGTH + Chunk.HEADER) + " (" + (maxFrameBytes - Frame.MIN_LENGTH - Chunk.HEADER)
                    + "), got " + chunkBytes);
        }
        if (maxMessageBytes < 1 || maxMessageBytes > DEFAULT_MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("maxMessageBytes must be between 1 and " + DEFAULT_MAX_MESSAGE_BYTES
                    + ", got " + maxMessageBytes);
        }
        Objects.requireNonNull(spoolDir, "spoolDir");
    }

    /** Chunks as large as the frame allows (up to 4 MiB), spooled in the system's temporary directory. */
    public TransportOptions(int maxFrameBytes, int sendQueueCapacity, Duration reconnectBackoffMin,
                            Duration reconnectBackoffMax) {
        this(maxFrameBytes, sendQueueCapacity, reconnectBackoffMin, reconnectBackoffMax,
                Math.min(DEFAULT_CHUNK_BYTES, maxFrameBytes - Frame.MIN_LENGTH - Chunk.HEADER),
                DEFAULT_MAX_MESSAGE_BYTES, Path.of(System.getProperty("java.io.tmpdir"), "ballot-peer-spool"));
    }

    /** 32 MiB frames, 4 MiB chunks, 4096 queued messages per peer, reconnect after 50 ms up to 2 s. */
    public static TransportOptions defaults() {
        return new TransportOptions(32 << 20, 4096, Duration.ofMillis(50), Duration.ofSeconds(2));
    }

    /** The same, with chunked messages reassembled under {@code dir} (a node's data directory). */
    public TransportOptions spoolingIn(Path dir) {
        return new TransportOptions(maxFrameBytes, sendQueueCapacity, reconnectBackoffMin, reconnectBackoffMax,
                chunkBytes, maxMessageBytes, dir);
    }

    /** The same with another chunk size. */
    public TransportOptions withChunkBytes(int bytes) {
        return new TransportOptions(maxFrameBytes, sendQueueCapacity, reconnectBackoffMin, reconnectBackoffMax,
                bytes, maxMessageBytes, spoolDir);
    }
}
