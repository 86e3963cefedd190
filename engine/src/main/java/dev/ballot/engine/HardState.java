package dev.ballot.engine;

/**
 * The state that must reach stable storage, atomically, before any message that depends on it
 * leaves the node. Raft uses term, vote and commit. ZAB uses term as {@code currentEpoch} and
 * {@code acceptedEpoch} beside it (persisting them separately is how ZooKeeper lost data).
 */
public record HardState(long term, long vote, long commit, long acceptedEpoch) {
    public static final HardState EMPTY = new HardState(0, 0, 0, 0);
}
