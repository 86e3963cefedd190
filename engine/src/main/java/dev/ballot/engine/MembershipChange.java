package dev.ballot.engine;

/** One membership step, applied one server at a time so any two consecutive configurations share a majority. */
public record MembershipChange(Type type, long memberId, String address) {
    public enum Type {
        /** Add a non-voting member that replicates the log (Raft learner). */
        ADD_LEARNER,
        /** Add a non-voting member that replicates the log (ZAB observer). */
        ADD_OBSERVER,
        /** Turn a caught-up learner or observer into a voter. */
        PROMOTE,
        /** Remove a member of any kind. */
        REMOVE
    }
}
