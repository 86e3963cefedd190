package dev.ballot.node.storage;

import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;

/** One record of the write-ahead log. */
sealed interface WalRecord {
    record Entry(LogEntry entry) implements WalRecord {
    }

    /**
     * Everything one persist call writes, as one checksummed record: a crash leaves all of it or none of it (never
     * entries without the hard state that came with them).
     */
    record Batch(java.util.List<WalRecord> records) implements WalRecord {
        public Batch {
            records = java.util.List.copyOf(records);
        }
    }

    /** Delete every entry with index &gt;= from. */
    record Truncate(long from) implements WalRecord {
    }

    record State(HardState hardState) implements WalRecord {
    }

    /**
     * A snapshot file became current. INSTALL (from a leader) replaces the log; COMPACT (local) and REF (repeated at
     * the head of every segment so the newest segments always name the current snapshot) drop entries up to it.
     */
    record SnapshotMark(Kind kind, long index, long term) implements WalRecord {
        enum Kind { INSTALL, COMPACT, REF }
    }
}
