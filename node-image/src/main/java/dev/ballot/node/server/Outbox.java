package dev.ballot.node.server;

import dev.ballot.engine.Message;

/** Where the driver hands messages for peers; the peer transport in production. */
@FunctionalInterface
public interface Outbox {
    /** Queue a message; false when it was dropped (the protocol retries). */
    boolean send(Message message);
}
