package dev.ballot.engine.sim;

import dev.ballot.engine.Protocol;

import java.util.Locale;

/** The one place that maps a protocol to its simulator adapter. */
public final class ProtocolAdapters {
    private ProtocolAdapters() {
    }

    public static ProtocolAdapter forProtocol(Protocol protocol) {
        return switch (protocol) {
            case RAFT -> new RaftAdapter();
            case ZAB -> new ZabAdapter();
        };
    }

    /** {@code raft} or {@code zab}, as typed on the command line. */
    public static ProtocolAdapter forName(String name) {
        for (Protocol p : Protocol.values()) {
            if (p.wireName().equals(name.toLowerCase(Locale.ROOT))) {
                return forProtocol(p);
            }
        }
        throw new IllegalArgumentException("unknown protocol '" + name + "': use raft or zab");
    }
}
