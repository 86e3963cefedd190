package dev.ballot.node.server;

import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;

import java.util.Optional;

/** The HTTP API's key-value map ({@link KvStateMachine}) as the runtime's state machine. */
public final class KvMachine extends EngineMachine<KvStateMachine, KvResult> {
    public KvMachine() {
        super(new KvStateMachine(), KvResult::requestId);
    }

    public Optional<KvStateMachine.Versioned> get(String key) {
        return machine().get(key);
    }

    public int size() {
        return machine().size();
    }
}
