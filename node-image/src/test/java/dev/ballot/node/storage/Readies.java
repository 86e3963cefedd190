package dev.ballot.node.storage;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.Snapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders for the Ready batches storage tests persist. */
final class Readies {
    private Readies() {
    }

    static Ready ready(HardState hs, long truncateFrom, List<LogEntry> entries, Snapshot snapshot) {
        return new Ready(hs, truncateFrom, entries, snapshot, List.of(), List.of(), List.of());
    }

    static Ready append(List<LogEntry> entries, HardState hs) {
        return ready(hs, Ready.NO_TRUNCATION, entries, null);
    }

    /** Deterministic payload for an index: its size and bytes depend on the index only, so a reader can check it. */
    static byte[] payload(long index) {
        int size = (int) ((index * 7919) % 300);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (index * 31 + i);
        }
        return b;
    }

    static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, EntryType.COMMAND, payload(index));
    }

    static List<LogEntry> entries(long from, long toInclusive, long term) {
        List<LogEntry> list = new ArrayList<>();
        for (long i = from; i <= toInclusive; i++) {
            list.add(entry(i, term));
        }
        return list;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
