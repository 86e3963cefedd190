package dev.ballot.engine;

import java.util.List;

/**
 * A batch of work for the caller, in this order: persist ({@code truncateFrom}, {@code entries},
 * {@code snapshot}, {@code hardState}) and sync; then send {@code messages}; then apply
 * {@code committed} and answer {@code readStates}; then {@link ConsensusNode#advance(Ready)}. When
 * {@code messagesFirst}, the messages may leave before (or while) the rest is persisted.
 *
 * @param hardState     null when unchanged
 * @param truncateFrom  when not {@link #NO_TRUNCATION}, delete every stored entry with index &gt;= this first
 * @param entries       to append to stable storage (after truncation)
 * @param snapshot      null, or a snapshot received from the leader to persist and restore
 * @param messages      to send only after everything above is durable
 * @param committed     entries now committed, to apply in order
 * @param readStates    reads confirmed by a quorum
 * @param messagesFirst the messages depend on nothing this batch persists: a Raft leader's appends and
 *                      heartbeats, whose term and vote are durable already, may go out while its own disk
 *                      writes the same entries (Raft thesis, section 10.2.1). The engine counts its own copy
 *                      toward a quorum only once {@link ConsensusNode#advance(Ready)} says it is durable.
 */
public record Ready(HardState hardState, long truncateFrom, List<LogEntry> entries, Snapshot snapshot,
                    List<Message> messages, List<LogEntry> committed, List<ReadState> readStates,
                    boolean messagesFirst) {
    public static final long NO_TRUNCATION = -1;

    /** A batch whose messages leave only after everything is persisted. */
    public Ready(HardState hardState, long truncateFrom, List<LogEntry> entries, Snapshot snapshot,
                 List<Message> messages, List<LogEntry> committed, List<ReadState> readStates) {
        this(hardState, truncateFrom, entries, snapshot, messages, committed, readStates, false);
    }

    public Ready {
        entries = List.copyOf(entries);
        messages = List.copyOf(messages);
        committed = List.copyOf(committed);
        readStates = List.copyOf(readStates);
    }

    /** True when something must be written and synced before the messages may leave. */
    public boolean mustSync() {
        return hardState != null || truncateFrom != NO_TRUNCATION || !entries.isEmpty() || snapshot != null;
    }

    public boolean isEmpty() {
        return !mustSync() && messages.isEmpty() && committed.isEmpty() && readStates.isEmpty();
    }
}
