package dev.ballot.engine.kv;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The first replicated state machine: a sorted map of string keys to byte values, with per-key revisions. */
public final class KvStateMachine implements StateMachine<KvResult> {
    /** A stored value and the revision of the entry that wrote it. */
    public record Versioned(byte[] value, long revision) {
    }

    private final TreeMap<String, Versioned> data = new TreeMap<>();
    private long appliedIndex;

    @Override
    public KvResult apply(LogEntry entry) {
        appliedIndex = entry.index();
        if (entry.type() != EntryType.COMMAND) {
            return null;
        }
        KvCommand cmd;
        try {
            cmd = KvCommand.decode(entry.data());
        } catch (MalformedMessageException e) {
            // Every replica rejects the same bytes the same way, so skipping keeps replicas identical.
            return new KvResult(0, entry.index(), false, null);
        }
        return switch (cmd.op()) {
            case PUT -> {
                data.put(cmd.key(), new Versioned(cmd.value(), entry.index()));
                yield new KvResult(cmd.requestId(), entry.index(), true, cmd.value());
            }
            case DELETE -> {
                data.remove(cmd.key());
                yield new KvResult(cmd.requestId(), entry.index(), true, null);
            }
            case CAS -> {
                Versioned current = data.get(cmd.key());
                byte[] currentValue = current == null ? null : current.value();
                if (Arrays.equals(currentValue, cmd.expect())) {
                    data.put(cmd.key(), new Versioned(cmd.value(), entry.index()));
                    yield new KvResult(cmd.requestId(), entry.index(), true, cmd.value());
                }
                yield new KvResult(cmd.requestId(), entry.index(), false, currentValue);
            }
        };
    }

    public Optional<Versioned> get(String key) {
        return Optional.ofNullable(data.get(key));
    }

    public int size() {
        return data.size();
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    /** Read-only view, in key order, for checkers that compare replicas. */
    public Map<String, Versioned> view() {
        return java.util.Collections.unmodifiableMap(data);
    }

    @Override
    public byte[] snapshot() {
        int size = 8 + 4;
        for (Map.Entry<String, Versioned> e : data.entrySet()) {
            size += 4 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4 + e.getValue().value().length + 8;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(appliedIndex).putInt(data.size());
        for (Map.Entry<String, Versioned> e : data.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            buf.putInt(k.length).put(k).putInt(e.getValue().value().length).put(e.getValue().value())
                    .putLong(e.getValue().revision());
        }
        return buf.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        data.clear();
        appliedIndex = 0;
        if (snapshot == null || snapshot.length == 0) {
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(snapshot);
        appliedIndex = buf.getLong();
        int count = buf.getInt();
        for (int i = 0; i < count; i++) {
            byte[] k = new byte[buf.getInt()];
            buf.get(k);
            byte[] v = new byte[buf.getInt()];
            buf.get(v);
            data.put(new String(k, StandardCharsets.UTF_8), new Versioned(v, buf.getLong()));
        }
    }
}
