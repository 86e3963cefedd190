package dev.ballot.node.storage;

import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import java.io.IOException;

/**
 * A member's stable storage: hard state, log entries and the latest snapshot.
 *
 * <p>Semantics of {@link #persist(Ready)}, in this order:
 * <ol>
 *   <li>{@code ready.truncateFrom()}: every stored entry with index &gt;= it is deleted;</li>
 *   <li>{@code ready.snapshot()}: the snapshot is installed and <em>replaces the stored log</em>: every stored entry
 *       is dropped, as in etcd's {@code ApplySnapshot} and ZAB's SNAP sync;</li>
 *   <li>{@code ready.entries()}: appended (entries at or below the snapshot's index are ignored; an entry whose index
 *       is not above the last stored one replaces it and everything after it);</li>
 *   <li>{@code ready.hardState()}: stored when not null.</li>
 * </ol>
 * It returns only when all of it is durable (fsync). After an {@link IOException} the storage is unusable: the node
 * must stop (retrying a failed fsync can silently lose data).
 */
public interface NodeStorage extends AutoCloseable {
    /** What is on disk: hard state, the latest snapshot (or null) and the entries after it, in index order. */
    PersistedState load() throws CorruptStorageException;

    void persist(Ready ready) throws IOException;

    /**
     * Local compaction: the caller applied everything up to {@code snapshot.index()} and took this image; entries at or
     * below it may be deleted. Entries above it are kept.
     */
    void saveSnapshot(Snapshot snapshot) throws IOException;

    @Override
    void close();
}
