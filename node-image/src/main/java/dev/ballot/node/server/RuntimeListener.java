package dev.ballot.node.server;

/** Observes the driver; called on the driver thread, so implementations must not block. */
public interface RuntimeListener {
    /** A new status was published; {@code changed} when role, term, leader or membership moved. */
    default void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean changed) {
    }

    /** A write this node proposed was applied, {@code nanos} after it was proposed. */
    default void onCommitted(long nanos) {
    }

    /** One persist of a Ready took {@code nanos} (one sync for the whole batch). */
    default void onPersisted(long nanos) {
    }
}
