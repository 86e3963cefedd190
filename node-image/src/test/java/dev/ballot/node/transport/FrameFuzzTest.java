package dev.ballot.node.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.zab.ZabCodec;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile bytes through the receive path: {@link FrameDecoder}, then {@link Handshake} or a {@link MessageCodec}
 * (the test codec, RaftCodec and ZabCodec; seeds with real Raft and ZAB messages come from {@link FrameFuzzSeeds}).
 * The only failures allowed are {@link FrameException} and {@link MalformedMessageException}; anything else (an
 * unchecked exception, an OutOfMemoryError from a trusted length, a hang) is a bug. In the normal build this runs the
 * seed corpus in {@code src/test/resources/dev/ballot/node/transport/FrameFuzzTestInputs/fuzzFrames/} (regression
 * mode); {@code JAZZER_FUZZ=1 mvn -pl node-image test -Dtest=FrameFuzzTest} fuzzes for real.
 *
 * <p>Input layout: byte 0 picks the read chunk size, byte 1 the frame size limit, the rest is the stream.
 */
class FrameFuzzTest {
    static final List<MessageCodec> CODECS = List.of(new TestCodec(), new RaftCodec(), new ZabCodec());

    @FuzzTest(maxDuration = "30s")
    void fuzzFrames(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int chunk = 1 + (data[0] & 0xff);
        int maxFrame = 64 + (data[1] & 0xff) * 64;
        byte[] stream = Arrays.copyOfRange(data, 2, data.length);
        FrameDecoder decoder = new FrameDecoder(maxFrame);
        try {
            for (int i = 0; i < stream.length; i += chunk) {
                decoder.feed(stream, i, Math.min(chunk, stream.length - i));
                Frame f;
                while ((f = decoder.next()) != null) {
                    assertThat(f.payload().length + Frame.MIN_LENGTH).isLessThanOrEqualTo(maxFrame);
                    check(f);
                }
            }
        } catch (FrameException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Test
    void theRaftAndZabSeedsHoldRealMessages() throws Exception {
        for (var seed : List.of(List.of("raft-vote-and-append", "raft"), List.of("raft-heartbeat-snapshot-timeout", "raft"),
                List.of("zab-election-and-sync", "zab"), List.of("zab-broadcast", "zab"))) {
            byte[] data;
            try (var in = getClass().getResourceAsStream("FrameFuzzTestInputs/fuzzFrames/" + seed.get(0))) {
                data = in.readAllBytes();
            }
            FrameDecoder d = new FrameDecoder(1 << 20);
            d.feed(data, 2, data.length - 2);
            assertThat(Handshake.decode(d.next())).isEqualTo(new Handshake("my-data-cluster-1", 2));
            MessageCodec codec = seed.get(1).equals("raft") ? new RaftCodec() : new ZabCodec();
            int messages = 0;
            Frame f;
            while ((f = d.next()) != null) {
                assertThat(codec.decode(f.payload()).from()).isEqualTo(2);
                messages++;
            }
            assertThat(messages).as(seed.get(0)).isGreaterThanOrEqualTo(4);
        }
    }

    private static void check(Frame f) {
        if (f.type() == Frame.Type.HANDSHAKE) {
            try {
                Handshake h = Handshake.decode(f);
                assertThat(h.memberId()).isPositive();
                assertThat(Handshake.decode(h.toFrame())).isEqualTo(h);
            } catch (FrameException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
            return;
        }
        for (MessageCodec codec : CODECS) {
            try {
                Message m = codec.decode(f.payload());
                assertThat(m).isNotNull();
                byte[] again = codec.encode(m);
                assertThat(codec.encode(codec.decode(again))).as("re-encoding is stable").isEqualTo(again);
            } catch (MalformedMessageException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
