package dev.ballot.node.transport;

import java.util.Arrays;

/**
 * Turns a byte stream into {@link Frame}s: pure (no I/O), so it can be fuzzed. Feed bytes as they arrive, then call
 * {@link #next()} until it returns null. A bad frame throws {@link FrameException}; the decoder then stays broken,
 * because after garbage the stream has no trustworthy frame boundary.
 */
public final class FrameDecoder {
    private static final int RETAINED_BYTES = 1 << 20;
    private final int maxFrameBytes;
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private FrameException broken;

    /** @param maxFrameBytes the largest accepted length field (bytes after the length prefix) */
    public FrameDecoder(int maxFrameBytes) {
        if (maxFrameBytes < Frame.MIN_LENGTH) {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + Frame.MIN_LENGTH);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    public void feed(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        if (end + length > buf.length) {
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end + length > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, end + length));
            }
        }
        System.arraycopy(bytes, offset, buf, end, length);
        end += length;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** The next complete frame, or null when more bytes are needed. */
    public Frame next() throws FrameException {
        if (broken != null) {
            throw broken;
        }
        int available = end - start;
        if (available < Frame.LENGTH_FIELD) {
            return null;
        }
        long length = ((buf[start] & 0xffL) << 24) | ((buf[start + 1] & 0xffL) << 16) | ((buf[start + 2] & 0xffL) << 8)
                | (buf[start + 3] & 0xffL);
        if (length < Frame.MIN_LENGTH) {
            throw fail("frame length " + length + " is below the minimum of " + Frame.MIN_LENGTH
                    + " (version and type bytes)");
        }
        if (length > maxFrameBytes) {
            throw fail("frame of " + length + " bytes exceeds the limit of " + maxFrameBytes
                    + " bytes (maxFrameBytes); the peer speaks another protocol or sends an oversized message");
        }
        if (available >= Frame.LENGTH_FIELD + 1 && buf[start + 4] != Frame.VERSION) {
            throw fail("unsupported frame version " + (buf[start + 4] & 0xff) + " (this node speaks version "
                    + Frame.VERSION + ")");
        }
        if (available >= Frame.LENGTH_FIELD + 2 && Frame.Type.of(buf[start + 5]) == null) {
            throw fail("unknown frame type " + (buf[start + 5] & 0xff));
        }
        if (available < Frame.LENGTH_FIELD + length) {
            return null;
        }
        Frame.Type type = Frame.Type.of(buf[start + 5]);
        int payloadStart = start + Frame.LENGTH_FIELD + Frame.MIN_LENGTH;
        byte[] payload = Arrays.copyOfRange(buf, payloadStart, payloadStart + (int) length - Frame.MIN_LENGTH);
        start += Frame.LENGTH_FIELD + (int) length;
        if (start == end) {
            start = 0;
            end = 0;
            if (buf.length > RETAINED_BYTES) {
                buf = new byte[256]; // do not keep a large frame's buffer for the life of the connection
            }
        }
        return new Frame(type, payload);
    }

    /** Bytes received but not yet returned as a frame (a frame cut short when the connection ends). */
    public int buffered() {
        return end - start;
    }

    private FrameException fail(String message) {
        broken = new FrameException(message);
        return broken;
    }
}
