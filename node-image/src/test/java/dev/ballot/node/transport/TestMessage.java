package dev.ballot.node.transport;

import dev.ballot.engine.Message;
import java.util.Arrays;

/** A test-only message: enough to move bytes between members and check what arrived. */
record TestMessage(long from, long to, long seq, byte[] body) implements Message {
    @Override
    public boolean equals(Object o) {
        return o instanceof TestMessage m && m.from == from && m.to == to && m.seq == seq && Arrays.equals(m.body, body);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seq);
    }

    @Override
    public String toString() {
        return "TestMessage[" + from + "->" + to + " #" + seq + " " + body.length + "B]";
    }
}
