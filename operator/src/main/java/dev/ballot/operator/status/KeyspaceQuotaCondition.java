package dev.ballot.operator.status;

import dev.ballot.operator.members.MemberObservation;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@code KeyspaceQuotaExceeded} condition: True (reason {@code NoSpace}) while a member reports the keyspace quota's
 * NOSPACE alarm, which every member raises at the same log entry and which refuses every write that adds data until
 * space is freed and the alarm disarmed (docs/node-api.md, Limits). Shown for clusters with {@code spec.keyspaceQuota},
 * and for any cluster whose members report the alarm (it outlives a removed quota, as etcd's does, until disarmed).
 * Pure.
 */
public final class KeyspaceQuotaCondition {
    public static final String TYPE = "KeyspaceQuotaExceeded";
    public static final String NO_SPACE = "NoSpace";
    public static final String WITHIN_QUOTA = "WithinQuota";

    private KeyspaceQuotaCondition() {
    }

    /**
     * @param quotaBytes the spec's quota, null for none
     * @param previous   the previous status' conditions (null: none)
     * @return the condition, or null when the cluster has no quota and no member reports the alarm
     */
    public static Condition of(Long quotaBytes, Map<String, MemberObservation> members, List<Condition> previous,
                               long generation) {
        TreeSet<String> alarmed = new TreeSet<>();
        int answered = 0;
        for (MemberObservation m : members.values()) {
            if (m.status() != null) {
                answered++;
                if (m.status().noSpaceAlarm()) {
                    alarmed.add(m.name());
                }
            }
        }
        Condition before = StatusConditions.find(previous, TYPE);
        if (!alarmed.isEmpty()) {
            return StatusConditions.condition(TYPE, true, generation, NO_SPACE, "the keyspace quota"
                    + (quotaBytes == null ? " (spec.keyspaceQuota, since removed: the alarm outlives it)"
                    : " of " + quotaBytes + " bytes (spec.keyspaceQuota)") + " is used up: "
                    + String.join(", ", alarmed) + " report the NOSPACE alarm, so every write that adds data is"
                    + " refused ('etcdserver: mvcc: database space exceeded'); reads and deletes work. Free space, then"
                    + " disarm: etcdctl del <keys>, etcdctl compact <revision>, etcdctl alarm disarm; or raise"
                    + " spec.keyspaceQuota and disarm");
        }
        if (answered == 0 && before != null) {
            // No member answered (a new operator leader, or every member down): the last verdict stands.
            return StatusConditions.condition(TYPE, "True".equals(before.getStatus()), generation, before.getReason(),
                    before.getMessage());
        }
        if (quotaBytes == null) {
            return null;
        }
        return StatusConditions.condition(TYPE, false, generation, WITHIN_QUOTA, answered == 0
                ? "no member has reported yet" : "no member reports the NOSPACE alarm (quota " + quotaBytes + " bytes)");
    }
}
