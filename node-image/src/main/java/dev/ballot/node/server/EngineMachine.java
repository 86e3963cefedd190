package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.StateMachine;

import java.util.function.ToLongFunction;

/**
 * A {@link ReplicatedStateMachine} over one of the deterministic machines the client APIs bring (the key-value map,
 * etcd's MVCC store, ZooKeeper's data tree): apply, snapshot and restore go to it unchanged, and the request id is
 * read from its result. A subclass adds what its API reads of the machine, and its leader timers.
 *
 * @param <S> the machine
 * @param <R> what applying a command gives its proposer
 */
public abstract class EngineMachine<S extends StateMachine<R>, R> implements ReplicatedStateMachine<R> {
    private final S machine;
    private final ToLongFunction<R> requestId;

    protected EngineMachine(S machine, ToLongFunction<R> requestId) {
        this.machine = machine;
        this.requestId = requestId;
    }

    /** The machine itself, for reads on the driver thread. */
    protected final S machine() {
        return machine;
    }

    @Override
    public final R apply(LogEntry entry) {
        return machine.apply(entry);
    }

    @Override
    public final long requestId(R result) {
        return requestId.applyAsLong(result);
    }

    @Override
    public final byte[] snapshot() {
        return machine.snapshot();
    }

    @Override
    public final void restore(byte[] snapshot) {
        machine.restore(snapshot);
    }
}
