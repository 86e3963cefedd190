package dev.ballot.engine.kv;

import dev.ballot.engine.MalformedMessageException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A key-value command as it travels in a log entry. {@code requestId} lets the proposer recognise
 * its own command when it commits (a different entry may win the index after a leader change).
 * {@code expect} is used by CAS only; null there means "the key must be absent".
 */
public record KvCommand(Op op, long requestId, String key, byte[] value, byte[] expect) {
    public enum Op { PUT, DELETE, CAS }

    private static final int MAX_KEY_BYTES = 4096;

    public static KvCommand put(long requestId, String key, byte[] value) {
        return new KvCommand(Op.PUT, requestId, key, value, null);
    }

    public static KvCommand delete(long requestId, String key) {
        return new KvCommand(Op.DELETE, requestId, key, null, null);
    }

    public static KvCommand cas(long requestId, String key, byte[] expect, byte[] value) {
        return new KvCommand(Op.CAS, requestId, key, value, expect);
    }

    public byte[] encode() {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int size = 1 + 8 + 4 + k.length + 4 + len(value) + 4 + len(expect);
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put((byte) op.ordinal()).putLong(requestId).putInt(k.length).put(k);
        putBytes(buf, value);
        putBytes(buf, expect);
        return buf.array();
    }

    public static KvCommand decode(byte[] bytes) throws MalformedMessageException {
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            int op = buf.get();
            if (op < 0 || op >= Op.values().length) {
                throw new MalformedMessageException("unknown kv op " + op);
            }
            long requestId = buf.getLong();
            int keyLen = buf.getInt();
            if (keyLen < 0 || keyLen > MAX_KEY_BYTES) {
                throw new MalformedMessageException("key length out of range: " + keyLen);
            }
            byte[] k = new byte[keyLen];
            buf.get(k);
            byte[] value = getBytes(buf);
            byte[] expect = getBytes(buf);
            if (buf.hasRemaining()) {
                throw new MalformedMessageException("trailing bytes after kv command");
            }
            return new KvCommand(Op.values()[op], requestId, new String(k, StandardCharsets.UTF_8), value, expect);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new MalformedMessageException("truncated kv command");
        }
    }

    private static int len(byte[] b) {
        return b == null ? 0 : b.length;
    }

    private static void putBytes(ByteBuffer buf, byte[] b) {
        if (b == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(b.length).put(b);
        }
    }

    private static byte[] getBytes(ByteBuffer buf) throws MalformedMessageException {
        int len = buf.getInt();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > buf.remaining()) {
            throw new MalformedMessageException("value length out of range: " + len);
        }
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }
}
