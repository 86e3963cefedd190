package dev.ballot.node.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Reads the first frame of a peer connection: a {@link Handshake}, at most {@link #MAX_BYTES} bytes, within one total
 * deadline. It reads exactly the frame's bytes into a buffer of that size, so an unauthenticated connection costs a few
 * hundred bytes whatever it sends (the frame decoder with the 32 MiB message limit is only made after the handshake),
 * and a sender that drips one byte at a time is cut off at the deadline rather than granted a fresh timeout per read.
 */
final class HandshakeReader {
    /** Length field plus the largest handshake: version, type, id length, a 255-byte cluster id, member id. */
    static final int MAX_BYTES = Frame.LENGTH_FIELD + Frame.MIN_LENGTH + 2 + Handshake.MAX_CLUSTER_ID_BYTES + 8;

    private HandshakeReader() {
    }

    /**
     * @throws SocketTimeoutException when the whole handshake did not arrive within {@code timeoutMillis}
     * @throws EOFException           when the connection ended before its first byte
     * @throws FrameException         when the first frame is not a well-formed handshake of at most {@link #MAX_BYTES}
     */
    static Handshake read(Socket socket, long timeoutMillis) throws IOException, FrameException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        InputStream in = socket.getInputStream();
        byte[] head = new byte[Frame.LENGTH_FIELD];
        if (!readFully(socket, in, head, deadline, timeoutMillis, true)) {
            throw new EOFException("connection closed by the peer before its handshake");
        }
        long length = ByteBuffer.wrap(head).getInt() & 0xffffffffL;
        if (length > MAX_BYTES - Frame.LENGTH_FIELD) {
            throw new FrameException("handshake frame of " + length + " bytes exceeds the limit of "
                    + (MAX_BYTES - Frame.LENGTH_FIELD) + " bytes; the peer speaks another protocol or is not a Ballot member");
        }
        if (length < Frame.MIN_LENGTH) {
            throw new FrameException("handshake frame length " + length + " is below the minimum of " + Frame.MIN_LENGTH);
        }
        byte[] frame = new byte[Frame.LENGTH_FIELD + (int) length];
        System.arraycopy(head, 0, frame, 0, head.length);
        byte[] rest = new byte[(int) length];
        readFully(socket, in, rest, deadline, timeoutMillis, false);
        System.arraycopy(rest, 0, frame, head.length, rest.length);
        FrameDecoder decoder = new FrameDecoder(MAX_BYTES); // checks version and type like any frame
        decoder.feed(frame);
        return Handshake.decode(decoder.next());
    }

    /** False on EOF before the first byte when {@code eofAllowed}; a cut-short read is a truncated handshake. */
    private static boolean readFully(Socket socket, InputStream in, byte[] into, long deadline, long timeoutMillis,
                                     boolean eofAllowed) throws IOException, FrameException {
        int off = 0;
        while (off < into.length) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("no complete handshake within " + timeoutMillis + " ms");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n;
            try {
                n = in.read(into, off, into.length - off);
            } catch (SocketTimeoutException e) {
                throw new SocketTimeoutException("no complete handshake within " + timeoutMillis + " ms");
            }
            if (n < 0) {
                if (off == 0 && eofAllowed) {
                    return false;
                }
                throw new FrameException("connection ended inside the handshake frame (after " + off + " bytes)");
            }
            off += n;
        }
        return true;
    }
}
