package dev.ballot.node.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keyspace quota as a member reports it, whichever store the log feeds (the HTTP key-value store or etcd's):
 * the NOSPACE alarm, what the quota counts, and the quota ({@link Long#MAX_VALUE}: none).
 */
public record QuotaState(boolean noSpaceAlarm, long usedBytes, long quotaBytes) {
    /** The alarm's name, as etcd's AlarmType and {@code /v1/status} spell it. */
    public static final String NOSPACE = "NOSPACE";

    public boolean hasQuota() {
        return quotaBytes != Long.MAX_VALUE;
    }

    /**
     * For {@code /v1/status}: {@code alarms} (["NOSPACE"] while the alarm stands, else empty), and with a quota
     * {@code keyspaceBytes} and {@code quotaBytes} (docs/node-api.md, "Status").
     */
    public Map<String, Object> statusFields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("alarms", noSpaceAlarm ? List.of(NOSPACE) : List.of());
        if (hasQuota()) {
            f.put("keyspaceBytes", usedBytes);
            f.put("quotaBytes", quotaBytes);
        }
        return f;
    }
}
