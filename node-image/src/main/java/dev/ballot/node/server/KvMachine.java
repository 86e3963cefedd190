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

    /** The quota and the NOSPACE alarm, for {@code /v1/status} and the metrics. Any thread (the figures are volatile). */
    public QuotaState quotaState() {
        return new QuotaState(machine().noSpaceAlarm(), machine().usedBytes(), machine().quotaBytes());
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
