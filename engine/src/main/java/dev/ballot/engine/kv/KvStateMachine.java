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
    /** Keyspace quota: keys (UTF-8) plus values, in bytes. A write that would grow the keyspace past it is refused. */
    private final long quotaBytes;
    /** Volatile: the node's HTTP threads read it for messages and status while the driver applies. */
    private volatile long usedBytes;
    /**
     * etcd's NOSPACE alarm: raised when a write is refused for the quota, cleared once deletes bring the keyspace under
     * nine tenths of it (no disarm call in the HTTP API: the hysteresis keeps it from flapping). While it stands every
     * write that would grow the keyspace is refused, even one that would fit. Part of the state (and of snapshots), so every replica raises and clears it at the same entry.
     */
    private volatile boolean noSpaceAlarm;

    public KvStateMachine() {
        this(Long.MAX_VALUE);
    }

    public KvStateMachine(long quotaBytes) {
        if (quotaBytes < 1) {
            throw new IllegalArgumentException("quotaBytes must be positive, got " + quotaBytes);
        }
        this.quotaBytes = quotaBytes;
    }

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
                if (overQuota(cmd.key(), cmd.value())) {
                    yield new KvResult(cmd.requestId(), entry.index(), false, null, true);
                }
                put(cmd.key(), new Versioned(cmd.value(), entry.index()));
                yield new KvResult(cmd.requestId(), entry.index(), true, cmd.value());
            }
            case DELETE -> {
                Versioned gone = data.remove(cmd.key());
                if (gone != null) {
                    usedBytes -= bytes(cmd.key(), gone.value());
                    if (noSpaceAlarm && usedBytes < quotaBytes / 10 * 9) {
                        noSpaceAlarm = false;
                    }
                }
                yield new KvResult(cmd.requestId(), entry.index(), true, null);
            }
            case CAS -> {
                Versioned current = data.get(cmd.key());
                byte[] currentValue = current == null ? null : current.value();
                if (Arrays.equals(currentValue, cmd.expect())) {
                    if (overQuota(cmd.key(), cmd.value())) {
                        yield new KvResult(cmd.requestId(), entry.index(), false, null, true);
                    }
                    put(cmd.key(), new Versioned(cmd.value(), entry.index()));
                    yield new KvResult(cmd.requestId(), entry.index(), true, cmd.value());
                }
                yield new KvResult(cmd.requestId(), entry.index(), false, currentValue);
            }
        };
    }

    /**
     * True (and the alarm raised) when writing {@code value} at {@code key} would grow the keyspace past the quota, or
     * would grow it at all while the alarm stands (as etcd refuses every write that adds data under NOSPACE).
     */
    private boolean overQuota(String key, byte[] value) {
        Versioned old = data.get(key);
        long after = usedBytes - (old == null ? 0 : bytes(key, old.value())) + bytes(key, value);
        if (after > usedBytes && (noSpaceAlarm || after > quotaBytes)) {
            noSpaceAlarm = true;
            return true;
        }
        return false;
    }

    private void put(String key, Versioned v) {
        Versioned old = data.put(key, v);
        usedBytes += bytes(key, v.value()) - (old == null ? 0 : bytes(key, old.value()));
    }

    private static long bytes(String key, byte[] value) {
        return key.getBytes(StandardCharsets.UTF_8).length + (long) value.length;
    }

    /** Keys plus values, in bytes: what the quota counts. */
    public long usedBytes() {
        return usedBytes;
    }

    public long quotaBytes() {
        return quotaBytes;
    }

    /** The NOSPACE alarm: a write was refused for the quota and deletes have not yet freed a tenth of it. */
    public boolean noSpaceAlarm() {
        return noSpaceAlarm;
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
        int size = 8 + 4 + 1;
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
        buf.put((byte) (noSpaceAlarm ? 1 : 0)); // after the entries: an older snapshot without it reads as no alarm
        return buf.array();
    }

    @Override
    public void restore(byte[] snapshot) {
        data.clear();
        appliedIndex = 0;
        usedBytes = 0;
        noSpaceAlarm = false;
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
            put(new String(k, StandardCharsets.UTF_8), new Versioned(v, buf.getLong()));
        }
        noSpaceAlarm = buf.hasRemaining() && buf.get() == 1;
    }
}
