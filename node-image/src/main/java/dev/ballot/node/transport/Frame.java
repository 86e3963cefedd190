package dev.ballot.node.transport;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * One frame on a peer connection: {@code [length u32][version u8][type u8][payload]}, where length counts the bytes
 * after itself (version, type and payload). Big-endian.
 */
public record Frame(Type type, byte[] payload) {
    public static final byte VERSION = 1;
    /** Version and type. */
    public static final int MIN_LENGTH = 2;
    public static final int LENGTH_FIELD = 4;

    public enum Type {
        /** First frame each way: the sender's cluster id and member id. */
        HANDSHAKE(1),
        /** A protocol message encoded by the cluster's MessageCodec. */
        MESSAGE(2),
        /** A slice of an encoded message too large for one frame ({@link Chunk}): a snapshot, in practice. */
        CHUNK(3);

        final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        static Type of(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
    }

    /** Bytes on the wire, length prefix included. */
    public int wireSize() {
        return LENGTH_FIELD + MIN_LENGTH + payload.length;
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(wireSize());
        b.putInt(MIN_LENGTH + payload.length).put(VERSION).put(type.code).put(payload);
        return b.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Frame[" + type + ", " + payload.length + "B]";
    }
}
