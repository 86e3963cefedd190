package dev.ballot.engine.sim;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;

/**
 * A protocol's safety invariants, fed by the simulator. Each hook throws {@link InvariantViolation} when an
 * invariant breaks. The simulator itself checks what every protocol shares: state machine safety (applied entries
 * agree and come in order), linearizability of client operations and liveness after healing.
 */
public interface InvariantChecker {
    /** {@code ready} from node {@code id} has just reached its disk (before its messages leave). */
    default void onPersisted(long id, Ready ready, SimView view) {
    }

    /** Node {@code id} applied {@code entry}; it is already in {@link SimView#committed()}. */
    default void onApplied(long id, LogEntry entry, SimView view) {
    }

    /** After every simulator event. */
    void afterEvent(SimView view);
}
