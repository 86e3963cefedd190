package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.StateMachine;

/**
 * What the driver thread applies committed entries to: the key-value map behind the HTTP API, etcd's MVCC
 * store, ZooKeeper's data tree. {@link NodeRuntime} owns exactly one, touches it only on its driver thread,
 * and is otherwise ignorant of what the commands mean.
 *
 * <ul>
 *   <li>{@link #apply} gets every committed entry in log order, of every type (a CONFIG or NOOP entry only
 *       moves the machine's applied index; return null for it). It must be deterministic: the same entries
 *       give the same state and results on every member.</li>
 *   <li>{@link #snapshot}/{@link #restore}: the whole state as bytes; restoring a snapshot and applying the
 *       entries after it must give the state that applying everything gives.</li>
 *   <li>{@link #requestId}: commands carry a request id chosen by their proposer; the runtime answers a waiting
 *       proposer only when the entry at its index carries its id (after a leader change another entry may take
 *       the index).</li>
 *   <li>{@link #onTick}: leader-only timers (etcd lease expiry, ZooKeeper session expiry). They decide on the
 *       leader and act by proposing commands through the log, so every member applies the decision.</li>
 * </ul>
 *
 * @param <R> what applying a command gives its proposer
 */
public interface ReplicatedStateMachine<R> extends StateMachine<R> {

    /**
     * What {@link #snapshot} bytes are: {@code kv} (the HTTP key-value map), {@code etcd} (etcd's MVCC store and
     * leases), {@code zookeeper} (ZooKeeper's data tree). A backup names it, so a restore refuses another machine's.
     */
    String kind();

    /** The request id that the proposer stamped on the command that produced {@code result}. */
    long requestId(R result);

    /**
     * Called on the driver thread after every batch of work and at least once per tick (10 ms), whatever this
     * node's role; must not block. {@code driver} tells whether this node leads and lets it propose.
     */
    default void onTick(Driver driver) {
    }

    /** The driver as the state machine sees it during {@link #onTick}. */
    interface Driver {
        /** True while this node is the leader (a ZAB leader once it has established its epoch). */
        boolean isLeader();

        /** Raft term or ZAB epoch; a change means a new leadership, even of the same node. */
        long term();

        /** Monotonic clock, as {@link System#nanoTime()}. */
        long nowNanos();

        /** A fresh request id to stamp on a command proposed from here. */
        long newRequestId();

        /** Propose a command; nobody waits for it. False when this node is not the leader or refuses for now. */
        boolean propose(byte[] command);
    }
}
