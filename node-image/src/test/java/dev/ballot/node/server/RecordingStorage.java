package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import dev.ballot.node.storage.NodeStorage;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory storage that counts persists (one per batch) and keeps what was written, for driver tests. */
public final class RecordingStorage implements NodeStorage {
    public final AtomicInteger persists = new AtomicInteger();
    public final List<LogEntry> entries = new CopyOnWriteArrayList<>();
    public final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
    public volatile long persistDelayMillis;

    @Override
    public PersistedState load() {
        return PersistedState.EMPTY;
    }

    @Override
    public void persist(Ready ready) {
        persists.incrementAndGet();
        entries.addAll(ready.entries());
        if (persistDelayMillis > 0) {
            try {
                Thread.sleep(persistDelayMillis); // stands for an fsync: lets concurrent proposals pile up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void saveSnapshot(Snapshot snapshot) {
        snapshots.add(snapshot);
    }

    @Override
    public void close() {
    }
}
