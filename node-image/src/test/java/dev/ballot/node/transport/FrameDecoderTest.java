package dev.ballot.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static List<Frame> drain(FrameDecoder d) throws FrameException {
        List<Frame> out = new ArrayList<>();
        Frame f;
        while ((f = d.next()) != null) {
            out.add(f);
        }
        return out;
    }

    @Test
    void framesSurviveAnyChunking() throws Exception {
        List<Frame> frames = List.of(new Handshake("c1", 7).toFrame(), new Frame(Frame.Type.MESSAGE, new byte[0]),
                new Frame(Frame.Type.MESSAGE, new byte[1000]), new Frame(Frame.Type.MESSAGE, "hi".getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        frames.forEach(f -> wire.writeBytes(f.encode()));
        byte[] bytes = wire.toByteArray();
        for (int chunk : new int[] {1, 2, 3, 5, 7, 64, bytes.length}) {
            FrameDecoder d = new FrameDecoder(4096);
            List<Frame> got = new ArrayList<>();
            for (int i = 0; i < bytes.length; i += chunk) {
                d.feed(bytes, i, Math.min(chunk, bytes.length - i));
                got.addAll(drain(d));
            }
            assertThat(got).as("chunk %d", chunk).isEqualTo(frames);
            assertThat(d.buffered()).isZero();
        }
        assertThat(Handshake.decode(frames.get(0))).isEqualTo(new Handshake("c1", 7));
    }

    @Test
    void anOversizedFrameIsRefusedBeforeItsBodyArrives() {
        FrameDecoder d = new FrameDecoder(100);
        d.feed(ByteBuffer.allocate(4).putInt(101).array());
        assertThatThrownBy(d::next).isInstanceOf(FrameException.class)
                .hasMessage("frame of 101 bytes exceeds the limit of 100 bytes (maxFrameBytes); the peer speaks another "
                        + "protocol or sends an oversized message");
        assertThatThrownBy(d::next).as("stays broken").hasMessageContaining("exceeds the limit");
    }

    @Test
    void httpOnThePeerPortIsRecognisedAsGarbage() {
        FrameDecoder d = new FrameDecoder(1 << 20);
        d.feed("GET /v1/status HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(d::next).isInstanceOf(FrameException.class)
                .hasMessageStartingWith("frame of 1195725856 bytes exceeds the limit of 1048576 bytes");
    }

    @Test
    void badLengthVersionAndTypeAreRefusedAsSoonAsTheyAreSeen() {
        FrameDecoder tooShort = new FrameDecoder(100);
        tooShort.feed(new byte[] {0, 0, 0, 1});
        assertThatThrownBy(tooShort::next).hasMessage("frame length 1 is below the minimum of 2 (version and type bytes)");

        FrameDecoder version = new FrameDecoder(100);
        version.feed(new byte[] {0, 0, 0, 50, 9});
        assertThatThrownBy(version::next).hasMessage("unsupported frame version 9 (this node speaks version 1)");

        FrameDecoder type = new FrameDecoder(100);
        type.feed(new byte[] {0, 0, 0, 50, 1, 77});
        assertThatThrownBy(type::next).hasMessage("unknown frame type 77");
    }

    @Test
    void aLargeFrameFollowedBySmallOnesDecodes() throws Exception {
        Frame big = new Frame(Frame.Type.MESSAGE, new byte[3 << 20]);
        Frame small = new Frame(Frame.Type.MESSAGE, new byte[] {42});
        FrameDecoder d = new FrameDecoder(4 << 20);
        byte[] wire = big.encode();
        for (int i = 0; i < wire.length; i += 65536) {
            d.feed(wire, i, Math.min(65536, wire.length - i));
        }
        assertThat(d.next()).isEqualTo(big);
        d.feed(small.encode());
        assertThat(d.next()).isEqualTo(small);
        assertThat(d.next()).isNull();
    }

    @Test
    void anIncompleteFrameWaitsForMoreBytes() throws Exception {
        byte[] frame = new Frame(Frame.Type.MESSAGE, new byte[10]).encode();
        FrameDecoder d = new FrameDecoder(100);
        d.feed(frame, 0, frame.length - 1);
        assertThat(d.next()).isNull();
        assertThat(d.buffered()).isEqualTo(frame.length - 1);
        d.feed(frame, frame.length - 1, 1);
        assertThat(d.next()).isEqualTo(new Frame(Frame.Type.MESSAGE, new byte[10]));
    }

    @Test
    void badHandshakesAreExplained() {
        assertThatThrownBy(() -> Handshake.decode(new Frame(Frame.Type.MESSAGE, new byte[3])))
                .hasMessage("expected a handshake frame first, got a MESSAGE frame");
        assertThatThrownBy(() -> Handshake.decode(new Frame(Frame.Type.HANDSHAKE, new byte[] {0, 5, 'a'})))
                .hasMessage("handshake is cut short (3 bytes)");
        assertThatThrownBy(() -> Handshake.decode(new Frame(Frame.Type.HANDSHAKE,
                ByteBuffer.allocate(11).putShort((short) 1).put((byte) 'a').putLong(0).array())))
                .hasMessage("handshake member id 0 is not positive");
        assertThatThrownBy(() -> Handshake.decode(new Frame(Frame.Type.HANDSHAKE,
                ByteBuffer.allocate(12).putShort((short) 1).put((byte) 'a').putLong(3).put((byte) 0).array())))
                .hasMessage("handshake has 1 trailing bytes");
        assertThatThrownBy(() -> Handshake.decode(new Frame(Frame.Type.HANDSHAKE,
                ByteBuffer.allocate(11).putShort((short) 1).put((byte) 0xff).putLong(3).array())))
                .hasMessage("handshake cluster id is not UTF-8");
    }
}
