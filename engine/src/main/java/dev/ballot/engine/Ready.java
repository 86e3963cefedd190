package dev.ballot.engine;

import java.util.List;

/**
 * A batch of work for the caller, in this order: persist ({@code truncateFrom}, {@code entries},
 * {@code snapshot}, {@code hardState}) and sync; then send {@code messages}; then apply
 * {@code committed} and answer {@code readStates}; then {@link ConsensusNode#advance(Ready)}.
 *
 * @param hardState     null when unchanged
 * @param truncateFrom  when not {@link #NO_TRUNCATION}, delete every stored entry with index &gt;= this first
 * @param entries       to append to stable storage (after truncation)
 * @param snapshot      null, or a snapshot received from the leader to persist and restore
 * @param messages      to send only after everything above is durable
 * @param committed     entries now committed, to apply in order
 * @param readStates    reads confirmed by a quorum
 */
public record Ready(HardState hardState, long truncateFrom, List<LogEntry> entries, Snapshot snapshot,
                    List<Message> messages, List<LogEntry> committed, List<ReadState> readStates) {
    public static final long NO_TRUNCATION = -1;

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
