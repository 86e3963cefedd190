package dev.ballot.node.transport;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** The first frame each way on a peer connection: who is speaking, and for which cluster. */
public record Handshake(String clusterId, long memberId) {
    static final int MAX_CLUSTER_ID_BYTES = 255;

    public Frame toFrame() {
        byte[] id = clusterId.getBytes(StandardCharsets.UTF_8);
        if (id.length > MAX_CLUSTER_ID_BYTES) {
            throw new IllegalArgumentException("cluster id longer than " + MAX_CLUSTER_ID_BYTES + " bytes");
        }
        return new Frame(Frame.Type.HANDSHAKE, ByteBuffer.allocate(2 + id.length + 8)
                .putShort((short) id.length).put(id).putLong(memberId).array());
    }

    public static Handshake decode(Frame frame) throws FrameException {
        if (frame.type() != Frame.Type.HANDSHAKE) {
            throw new FrameException("expected a handshake frame first, got a " + frame.type() + " frame");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(frame.payload());
            int len = b.getShort() & 0xffff;
            if (len > MAX_CLUSTER_ID_BYTES) {
                throw new FrameException("handshake cluster id of " + len + " bytes exceeds " + MAX_CLUSTER_ID_BYTES);
            }
            byte[] id = new byte[len];
            b.get(id);
            long member = b.getLong();
            if (b.hasRemaining()) {
                throw new FrameException("handshake has " + b.remaining() + " trailing bytes");
            }
            if (member <= 0) {
                throw new FrameException("handshake member id " + member + " is not positive");
            }
            String cluster = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(id)).toString();
            return new Handshake(cluster, member);
        } catch (BufferUnderflowException e) {
            throw new FrameException("handshake is cut short (" + frame.payload().length + " bytes)");
        } catch (CharacterCodingException e) {
            throw new FrameException("handshake cluster id is not UTF-8");
        }
    }
}
