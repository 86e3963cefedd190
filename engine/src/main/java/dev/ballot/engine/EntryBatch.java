package dev.ballot.engine;

import java.util.List;

/**
 * How many log entries fit in one replication message (etcd-io/raft's {@code limitSize} behind {@code MaxSizePerMsg}).
 * A batch is cut at the first entry that would take it past the byte budget, but always keeps its first entry: an
 * entry bigger than the budget still travels, alone, or a follower could never get past it. Without this cap a batch of
 * 64 one-MiB entries would be a 64 MiB message, past the transport's frame limit, and a lagging member could never
 * catch up. The budget is a soft cap on the message: codec headers come on top.
 */
public final class EntryBatch {
    /** Bytes an entry costs besides its data: index, term and type, as the codecs write them. */
    public static final int ENTRY_OVERHEAD = 8 + 8 + 1;
    /** etcd's default MaxSizePerMsg. */
    public static final long DEFAULT_MAX_BYTES = 1 << 20;

    private EntryBatch() {
    }

    /** What {@code e} counts for against a byte budget. */
    public static long size(LogEntry e) {
        return ENTRY_OVERHEAD + (long) e.data().length;
    }

    /** The longest prefix of {@code entries} within {@code maxBytes}, and at least the first entry. */
    public static List<LogEntry> limit(List<LogEntry> entries, long maxBytes) {
        if (entries.size() <= 1) {
            return entries;
        }
        long total = size(entries.get(0));
        for (int i = 1; i < entries.size(); i++) {
            total += size(entries.get(i));
            if (total > maxBytes) {
                return entries.subList(0, i);
            }
        }
        return entries;
    }

    /** Refuses a budget that could not hold even an empty entry: the option's name goes in the message. */
    public static long checkBudget(String field, long maxBytes) {
        if (maxBytes < ENTRY_OVERHEAD) {
            throw new IllegalArgumentException(field + " must be at least " + ENTRY_OVERHEAD
                    + " bytes (one entry's header), got " + maxBytes + "; the default is " + DEFAULT_MAX_BYTES);
        }
        return maxBytes;
    }
}
