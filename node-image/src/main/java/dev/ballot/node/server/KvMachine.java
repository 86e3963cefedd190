package dev.ballot.node.server;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;

import java.util.Optional;

/** The HTTP API's key-value map ({@link KvStateMachine}) as the runtime's state machine. */
public final class KvMachine implements ReplicatedStateMachine<KvResult> {
    /** The configuration key of the keyspace quota (docs/node-config.md). */
    public static final String QUOTA_KEY = "quota_bytes";
    private final KvStateMachine kv;

    public KvMachine() {
        this(Long.MAX_VALUE);
    }

    /** @param quotaBytes keys plus values; writes past it are refused in apply, identically on every replica */
    public KvMachine(long quotaBytes) {
        this.kv = new KvStateMachine(quotaBytes);
    }

    public long quotaBytes() {
        return kv.quotaBytes();
    }

    /**
     * For {@code /v1/status}: {@code alarms} (["NOSPACE"] while the alarm is raised, else empty), and with a quota
     * {@code keyspaceBytes} and {@code quotaBytes}.
     */
    public java.util.Map<String, Object> statusFields() {
        java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("alarms", alarm ? java.util.List.of("NOSPACE") : java.util.List.of());
        if (kv.quotaBytes() != Long.MAX_VALUE) {
            f.put("keyspaceBytes", used);
            f.put("quotaBytes", kv.quotaBytes());
        }
        return f;
    }

    /** Keys plus values after the last applied entry (any thread). */
    public long usedBytes() {
        return used;
    }

    /** etcd's NOSPACE alarm as of the last applied entry (any thread). */
    public boolean noSpaceAlarm() {
        return alarm;
    }

    /** Mirrors of the driver thread's figures for the HTTP threads. */
    private volatile long used;
    private volatile boolean alarm;

    @Override
    public KvResult apply(LogEntry entry) {
        KvResult r = kv.apply(entry);
        used = kv.usedBytes();
        alarm = kv.noSpaceAlarm();
        return r;
    }

    @Override
    public long requestId(KvResult result) {
        return result.requestId();
    }

    @Override
    public byte[] snapshot() {
        return kv.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
        kv.restore(snapshot);
        used = kv.usedBytes();
        alarm = kv.noSpaceAlarm();
    }

    public Optional<KvStateMachine.Versioned> get(String key) {
        return kv.get(key);
    }

    public int size() {
        return kv.size();
    }
}
