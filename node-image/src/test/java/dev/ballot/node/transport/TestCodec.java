package dev.ballot.node.transport;

import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import java.nio.ByteBuffer;

/** Wire form of {@link TestMessage}: 'T', from, to, seq, body length, body. */
final class TestCodec implements MessageCodec {
    private static final byte MAGIC = 'T';
    private static final int HEADER = 1 + 8 + 8 + 8 + 4;

    @Override
    public byte[] encode(Message message) {
        TestMessage m = (TestMessage) message;
        return ByteBuffer.allocate(HEADER + m.body().length).put(MAGIC).putLong(m.from()).putLong(m.to()).putLong(m.seq())
                .putInt(m.body().length).put(m.body()).array();
    }

    @Override
    public Message decode(byte[] bytes) throws MalformedMessageException {
        if (bytes.length < HEADER) {
            throw new MalformedMessageException("test message shorter than its " + HEADER + "-byte header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != MAGIC) {
            throw new MalformedMessageException("not a test message (bad magic)");
        }
        long from = b.getLong();
        long to = b.getLong();
        long seq = b.getLong();
        int len = b.getInt();
        if (len != b.remaining() || from <= 0 || to <= 0) {
            throw new MalformedMessageException("test message body length " + len + " does not match " + b.remaining()
                    + " bytes, or bad ids " + from + "->" + to);
        }
        byte[] body = new byte[len];
        b.get(body);
        return new TestMessage(from, to, seq, body);
    }
}
