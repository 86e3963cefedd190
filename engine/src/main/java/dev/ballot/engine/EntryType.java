package dev.ballot.engine;

/** What a log entry carries. */
public enum EntryType {
    /** A client command for the replicated state machine. */
    COMMAND,
    /** A new configuration (the payload is encoded by {@link MembershipCodec}). */
    CONFIG,
    /** The empty entry a new leader appends so it can commit in its own term. */
    NOOP
}
