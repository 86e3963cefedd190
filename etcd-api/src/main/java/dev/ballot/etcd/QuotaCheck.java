package dev.ballot.etcd;

/**
 * Whether a command may be applied under the keyspace quota and the NOSPACE alarm, as etcd decides it (its quota
 * check raises the alarm; while the alarm stands its capped applier refuses every request that could add data).
 * Pure, so that every member decides the same thing at the same entry.
 */
enum QuotaCheck {
    /** Apply it. */
    ALLOW,
    /** Refuse it with NOSPACE: the alarm already stands. */
    REFUSE,
    /** Refuse it with NOSPACE and raise the alarm: it would pass the quota. */
    RAISE;

    /**
     * @param growth     what the command can add at most (0: it cannot add data: delete, compaction, lease revoke,
     *                   alarm, a txn without puts)
     * @param usedBytes  the store's size before it
     * @param quotaBytes {@link Long#MAX_VALUE}: no quota
     */
    static QuotaCheck decide(EtcdCommand.Kind kind, long growth, long usedBytes, long quotaBytes, boolean alarm) {
        if (growth <= 0 || kind == EtcdCommand.Kind.ALARM) {
            return ALLOW;
        }
        if (alarm) {
            return REFUSE;
        }
        return quotaBytes != Long.MAX_VALUE && usedBytes + growth > quotaBytes ? RAISE : ALLOW;
    }
}
