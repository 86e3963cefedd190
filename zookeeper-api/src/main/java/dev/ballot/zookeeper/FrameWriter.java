package dev.ballot.zookeeper;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One socket's outgoing length-prefixed frames ({@code [length][payload]}), written by a thread of their own. Frames
 * queue, and the stream is flushed only when no other frame is waiting: a burst of small answers leaves in one write
 * (one TLS record, one segment) instead of one per answer, which over TLS is most of a small answer's cost. And
 * whoever produces frames never waits on the socket: a client that reads slowly, or a follower's link, cannot stall
 * the member's single answer thread, which completes every write of a batch. When the writer ends (finished, aborted,
 * or its socket failed) it closes the socket and runs {@code onEnd}; frames sent after that are dropped.
 */
final class FrameWriter {
    private static final Logger LOG = Logger.getLogger(FrameWriter.class.getName());
    private static final byte[] END = new byte[0];

    private final Socket socket;
    private final int bufferBytes;
    private final Runnable onEnd;
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    /**
     * @param bufferBytes small frames gather in a buffer of this size, held for the connection's life; a larger frame
     *                    goes to the socket directly
     */
    FrameWriter(Socket socket, int bufferBytes, Runnable onEnd) {
        this.socket = socket;
        this.bufferBytes = bufferBytes;
        this.onEnd = onEnd;
    }

    void start(String threadName) {
        Thread t = new Thread(this::writeLoop, threadName);
        t.setDaemon(true);
        t.start();
    }

    void send(byte[] payload) {
        if (!ended) {
            queue.add(payload);
        }
    }

    /** What is queued goes out, then the socket closes. */
    void finish() {
        queue.add(END);
    }

    /** Closes the socket now, dropping what is queued. */
    void abort() {
        ended = true;
        queue.clear();
        queue.add(END);
        closeSocket();
    }

    private void writeLoop() {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), bufferBytes))) {
            while (true) {
                byte[] p = queue.take();
                if (p == END) {
                    out.flush();
                    break;
                }
                out.writeInt(p.length);
                out.write(p);
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            LOG.log(Level.FINE, "output to " + socket.getRemoteSocketAddress() + " ended", e);
        } finally {
            ended = true;
            queue.clear();
            closeSocket();
            onEnd.run();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
