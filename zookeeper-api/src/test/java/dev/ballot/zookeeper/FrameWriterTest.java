package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FrameWriterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    /** A socket whose output is recorded write by write, as the TLS layer would turn each into a record. */
    static final class RecordingSocket extends Socket {
        final List<byte[]> writes = new ArrayList<>();
        volatile boolean failWrites;
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public OutputStream getOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (failWrites) {
                        throw new IOException("connection reset");
                    }
                    synchronized (writes) {
                        writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
                    }
                }
            };
        }

        @Override
        public synchronized void close() {
            closed.set(true);
        }

        List<byte[]> writes() {
            synchronized (writes) {
                return List.copyOf(writes);
            }
        }
    }

    @Test
    void framesQueuedWhileTheWriterIsBusyLeaveInOneWriteInOrder() throws Exception {
        RecordingSocket socket = new RecordingSocket();
        FrameWriter w = new FrameWriter(socket, 8 * 1024, () -> { });
        for (int i = 0; i < 200; i++) {
            w.send(new byte[] {(byte) i, 1, 2});
        }
        w.start("test-writer");
        await().atMost(DEADLINE).until(() -> !socket.writes().isEmpty());
        w.finish();
        await().atMost(DEADLINE).until(socket.closed::get);

        assertThat(socket.writes()).as("200 small frames queued at once: one write, not one per frame").hasSize(1);
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(socket.writes().get(0)));
        for (int i = 0; i < 200; i++) {
            assertThat(in.readInt()).isEqualTo(3);
            assertThat(in.readByte()).isEqualTo((byte) i);
            in.readShort();
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void aFrameAloneIsWrittenAtOnceAndFinishSendsWhatIsQueuedBeforeClosing() throws Exception {
        RecordingSocket socket = new RecordingSocket();
        FrameWriter w = new FrameWriter(socket, 8 * 1024, () -> { });
        w.start("test-writer");
        w.send(new byte[] {7});
        await().atMost(DEADLINE).until(() -> socket.writes().size() == 1);
        assertThat(socket.closed).isFalse();
        w.send(new byte[] {8});
        w.finish();
        await().atMost(DEADLINE).until(socket.closed::get);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : socket.writes()) {
            all.write(b);
        }
        assertThat(all.toByteArray()).containsExactly(0, 0, 0, 1, 7, 0, 0, 0, 1, 8);
    }

    @Test
    void aFailedWriteClosesTheSocketRunsOnEndAndLaterFramesAreDropped() {
        RecordingSocket socket = new RecordingSocket();
        AtomicBoolean ended = new AtomicBoolean();
        FrameWriter w = new FrameWriter(socket, 8 * 1024, () -> ended.set(true));
        socket.failWrites = true;
        w.start("test-writer");
        w.send(new byte[] {1});
        await().atMost(DEADLINE).until(ended::get);
        assertThat(socket.closed).isTrue();
        socket.failWrites = false;
        w.send(new byte[] {2});
        assertThat(socket.writes()).isEmpty();
    }

    @Test
    void abortClosesTheSocketAtOnceAndDropsWhatIsQueued() {
        RecordingSocket socket = new RecordingSocket();
        AtomicBoolean ended = new AtomicBoolean();
        FrameWriter w = new FrameWriter(socket, 8 * 1024, () -> ended.set(true));
        w.send(new byte[] {1});
        w.abort();
        assertThat(socket.closed).isTrue();
        w.start("test-writer");
        await().atMost(DEADLINE).until(ended::get);
        assertThat(socket.writes()).isEmpty();
    }
}
