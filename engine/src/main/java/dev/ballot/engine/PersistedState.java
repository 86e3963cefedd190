package dev.ballot.engine;

import java.util.List;

/** What a node finds on stable storage when it restarts: hard state, latest snapshot (or null), entries after it. */
public record PersistedState(HardState hardState, Snapshot snapshot, List<LogEntry> entries) {
    public static final PersistedState EMPTY = new PersistedState(HardState.EMPTY, null, List.of());

    public PersistedState {
        entries = List.copyOf(entries);
    }
}
