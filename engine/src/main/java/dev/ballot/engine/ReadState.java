package dev.ballot.engine;

/**
 * A confirmed linearizable read: once the caller has applied up to {@code index}, reading its
 * state machine answers request {@code requestId} as of a moment the leader was still the leader.
 */
public record ReadState(long requestId, long index) {
}
