package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;

import java.util.Optional;

/** The HTTP API's key-value map ({@link KvStateMachine}) as the runtime's state machine. */
public final class KvMachine implements ReplicatedStateMachine<KvResult> {
    private final KvStateMachine kv = new KvStateMachine();

    @Override
    public KvResult apply(LogEntry entry) {
        return kv.apply(entry);
    }

    public static final String KIND = "kv";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public long requestId(KvResult result) {
        return result.requestId();
    }

    @Override
    public byte[] snapshot() {
        return kv.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
        kv.restore(snapshot);
    }

    public Optional<KvStateMachine.Versioned> get(String key) {
        return kv.get(key);
    }

    public int size() {
        return kv.size();
    }
}
