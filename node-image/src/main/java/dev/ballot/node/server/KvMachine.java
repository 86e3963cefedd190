package dev.ballot.node.server;

import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.kv.KvStateMachine;

import java.util.Optional;

/** The HTTP API's key-value map ({@link KvStateMachine}) as the runtime's state machine. */
public final class KvMachine extends EngineMachine<KvStateMachine, KvResult> {
    public static final String KIND = "kv";
    /** The configuration key of the keyspace quota (docs/node-config.md). */
    public static final String QUOTA_KEY = "quota_bytes";

    public KvMachine() {
        this(Long.MAX_VALUE);
    }

    /** @param quotaBytes keys plus values; writes past it are refused in apply, identically on every replica */
    public KvMachine(long quotaBytes) {
        super(new KvStateMachine(quotaBytes), KvResult::requestId);
    }

    public long quotaBytes() {
        return machine().quotaBytes();
    }

    /**
     * For {@code /v1/status}: {@code alarms} (["NOSPACE"] while the alarm is raised, else empty), and with a quota
     * {@code keyspaceBytes} and {@code quotaBytes}. Any thread (the machine's figures are volatile).
     */
    public java.util.Map<String, Object> statusFields() {
        java.util.Map<String, Object> f = new java.util.LinkedHashMap<>();
        f.put("alarms", machine().noSpaceAlarm() ? java.util.List.of("NOSPACE") : java.util.List.of());
        if (machine().quotaBytes() != Long.MAX_VALUE) {
            f.put("keyspaceBytes", machine().usedBytes());
            f.put("quotaBytes", machine().quotaBytes());
        }
        return f;
    }

    /** Keys plus values after the last applied entry (any thread). */
    public long usedBytes() {
        return machine().usedBytes();
    }

    public Optional<KvStateMachine.Versioned> get(String key) {
        return machine().get(key);
    }

    public int size() {
        return machine().size();
    }

    @Override
    public String kind() {
        return KIND;
    }
}
