package dev.ballot.node.transport;

import java.time.Duration;

/**
 * @param maxFrameBytes        largest frame accepted or sent (bytes after the length prefix); bigger ones close the
 *                             connection when received and are dropped (and counted) when sent
 * @param sendQueueCapacity    messages queued per peer; when full, {@link PeerTransport#send} drops and counts
 * @param reconnectBackoffMin  first wait after a failed connection; doubles up to the max, with jitter
 * @param reconnectBackoffMax  longest wait between connection attempts
 */
public record TransportOptions(int maxFrameBytes, int sendQueueCapacity, Duration reconnectBackoffMin,
                               Duration reconnectBackoffMax) {
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
    }

    /** 32 MiB frames (room for snapshot chunks), 4096 queued messages per peer, reconnect after 50 ms up to 2 s. */
    public static TransportOptions defaults() {
        return new TransportOptions(32 << 20, 4096, Duration.ofMillis(50), Duration.ofSeconds(2));
    }
}
