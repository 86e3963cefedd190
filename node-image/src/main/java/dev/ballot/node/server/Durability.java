package dev.ballot.node.server;

import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;

/** Where the driver makes a Ready durable; the node's storage in production, a fake in tests. */
public interface Durability {
    /** Write and sync everything the Ready asks to persist; durable when this returns. */
    void persist(Ready ready);

    /** Keep a state machine snapshot taken by this node so the log before it can go. */
    void saveSnapshot(Snapshot snapshot);
}
