package dev.ballot.zookeeper;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * One ZooKeeper write as a log entry: who asked (session), when (the proposer's clock: ctime/mtime are the same on
 * every replica because they come from here), and the client's request record as it arrived. The data tree
 * validates and applies it deterministically, so followers need no leader-side preparation.
 *
 * @param requestId unique per proposal: the proposing member finds its own result among applied entries by it
 * @param type      an {@link OpCode} (create, delete, setData, setACL, multi, createSession, closeSession, ...)
 * @param body      the jute request record ({@code CreateRequest}, ...) or, for a multi, its ops
 */
public record Txn(long requestId, int type, long sessionId, long time, byte[] body) {
    static final byte MAGIC = 'Z';
    static final byte VERSION = 1;

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + body.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(requestId);
            out.writeInt(type);
            out.writeLong(sessionId);
            out.writeLong(time);
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Null when the bytes are not a ZooKeeper txn (every replica skips the same bytes the same way). */
    public static Txn decode(byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            if (b.get() != MAGIC || b.get() != VERSION) {
                return null;
            }
            long requestId = b.getLong();
            int type = b.getInt();
            long session = b.getLong();
            long time = b.getLong();
            int len = b.getInt();
            if (len < 0 || len != b.remaining()) {
                return null;
            }
            byte[] body = new byte[len];
            b.get(body);
            return new Txn(requestId, type, session, time, body);
        } catch (BufferUnderflowException e) {
            return null;
        }
    }
}
