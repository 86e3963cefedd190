package dev.ballot.engine;

import java.util.Arrays;

/**
 * One log entry. {@code index} is strictly increasing within a log; Raft keeps it contiguous, ZAB
 * uses the zxid (epoch &lt;&lt; 32 | counter). {@code term} is the Raft term or the ZAB epoch.
 */
public record LogEntry(long index, long term, EntryType type, byte[] data) {
    public LogEntry {
        data = data == null ? new byte[0] : data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && e.index == index && e.term == term && e.type == type
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@" + term + " " + type + " " + data.length + "B]";
    }
}
