package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts persists (one per batch) and keeps what was written, for driver tests. */
public final class RecordingDurability implements Durability {
    public final AtomicInteger persists = new AtomicInteger();
    public final List<LogEntry> entries = new CopyOnWriteArrayList<>();
    public final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
    public volatile long persistDelayMillis;

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
}
