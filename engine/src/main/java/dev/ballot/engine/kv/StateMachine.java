package dev.ballot.engine.kv;

import dev.ballot.engine.LogEntry;

/** The replicated state machine: deterministic apply, snapshot and restore. */
public interface StateMachine<R> {
    /** Apply one committed COMMAND entry; the same entries in the same order give the same results. */
    R apply(LogEntry entry);

    byte[] snapshot();

    void restore(byte[] snapshot);
}
