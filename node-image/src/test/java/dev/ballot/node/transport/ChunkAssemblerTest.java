package dev.ballot.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkAssemblerTest {
    @TempDir
    Path spool;

    /** What {@link ChunkedSend} puts on the wire for {@code message}, parsed back into chunks. */
    private static List<Chunk> chunks(long transfer, byte[] message, int chunkBytes) throws Exception {
        ChunkedSend send = new ChunkedSend(transfer, message, chunkBytes);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        while (!send.done()) {
            send.writeNext(wire, 1000, () -> { });
        }
        FrameDecoder decoder = new FrameDecoder(chunkBytes + 100);
        decoder.feed(wire.toByteArray());
        List<Chunk> out = new ArrayList<>();
        for (Frame f = decoder.next(); f != null; f = decoder.next()) {
            assertThat(f.type()).isEqualTo(Frame.Type.CHUNK);
            out.add(Chunk.parse(f.payload()));
        }
        return out;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private long spooled() throws IOException {
        try (var files = Files.list(spool)) {
            return files.count();
        }
    }

    @Test
    void reassemblesTheMessageOnlyOnItsLastChunk() throws Exception {
        byte[] message = random(10_000, 1);
        List<Chunk> chunks = chunks(1, message, 3_000);
        assertThat(chunks).hasSize(4);
        try (ChunkAssembler a = new ChunkAssembler(spool, 1 << 20)) {
            for (int i = 0; i < 3; i++) {
                assertThat(a.accept(chunks.get(i))).isNull();
            }
            assertThat(a.pending()).isEqualTo(9_000);
            assertThat(a.accept(chunks.get(3))).isEqualTo(message);
            assertThat(spooled()).isZero();
        }
    }

    @Test
    void anInterruptedTransferLeavesNothingAndTheNextStartsClean() throws Exception {
        byte[] first = random(10_000, 2);
        try (ChunkAssembler a = new ChunkAssembler(spool, 1 << 20)) {
            a.accept(chunks(1, first, 3_000).get(0));
        } // the connection ended mid-transfer
        assertThat(spooled()).isZero();
        byte[] second = random(7_000, 3);
        try (ChunkAssembler a = new ChunkAssembler(spool, 1 << 20)) {
            List<Chunk> old = chunks(1, first, 3_000);
            a.accept(old.get(0));
            a.accept(old.get(1));
            // the sender starts over (offset 0): the unfinished transfer is discarded, not mixed in
            byte[] got = null;
            for (Chunk c : chunks(2, second, 3_000)) {
                got = a.accept(c);
            }
            assertThat(got).isEqualTo(second);
            assertThat(spooled()).isZero();
        }
    }

    @Test
    void aCorruptedMessageIsRefusedAndDeleted() throws Exception {
        List<Chunk> chunks = new ArrayList<>(chunks(1, random(6_000, 4), 3_000));
        Chunk last = chunks.get(1);
        byte[] flipped = last.data().clone();
        flipped[10] ^= 1;
        try (ChunkAssembler a = new ChunkAssembler(spool, 1 << 20)) {
            a.accept(chunks.get(0));
            assertThatThrownBy(() -> a.accept(new Chunk(last.transfer(), last.offset(), last.total(), last.sha256(), flipped)))
                    .isInstanceOf(FrameException.class)
                    .hasMessage("chunked message of transfer 1 (6000 bytes) does not match its SHA-256: corrupted in transit");
            assertThat(spooled()).isZero();
        }
    }

    @Test
    void aChunkThatDoesNotContinueTheTransferBreaksTheStream() throws Exception {
        List<Chunk> chunks = chunks(5, random(9_000, 5), 3_000);
        try (ChunkAssembler a = new ChunkAssembler(spool, 1 << 20)) {
            assertThatThrownBy(() -> a.accept(chunks.get(1)))
                    .isInstanceOf(FrameException.class)
                    .hasMessage("chunk of transfer 5 at offset 3000 does not continue any transfer");
            a.accept(chunks.get(0));
            assertThatThrownBy(() -> a.accept(chunks.get(2)))
                    .isInstanceOf(FrameException.class)
                    .hasMessage("chunk of transfer 5 at offset 6000 does not continue transfer 5 (expected offset 3000 of 9000)");
        }
    }

    @Test
    void aMessageOverTheLimitIsRefusedAtItsFirstChunk() throws Exception {
        try (ChunkAssembler a = new ChunkAssembler(spool, 5_000)) {
            assertThatThrownBy(() -> a.accept(chunks(1, random(6_000, 6), 3_000).get(0)))
                    .isInstanceOf(FrameException.class)
                    .hasMessage("chunked message of 6000 bytes exceeds the limit of 5000 bytes (maxMessageBytes)");
            assertThat(spooled()).isZero();
        }
    }

    @Test
    void aChunkThatOverrunsItsMessageIsMalformed() {
        byte[] payload = java.nio.ByteBuffer.allocate(Chunk.HEADER + 10).putLong(1).putLong(95).putLong(100).array();
        assertThatThrownBy(() -> Chunk.parse(payload)).isInstanceOf(FrameException.class)
                .hasMessage("chunk of transfer 1 at offset 95 with 10 bytes does not fit its message of 100 bytes");
    }
}
