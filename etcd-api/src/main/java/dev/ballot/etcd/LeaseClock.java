package dev.ballot.etcd;

import dev.ballot.etcd.mvcc.LeaseTable;

import java.util.HashMap;
import java.util.Map;

/**
 * When leases expire: volatile, and only the leader's counts. A new leader (or a new term) starts every
 * lease's full TTL afresh, as etcd's lessor does on promotion, so a client that kept its lease alive
 * through the old leader is not cut off by the failover. Expiry is proposed as a command through the log;
 * it is re-proposed if it has not been applied within {@link #RETRY_NANOS}.
 */
final class LeaseClock {
    static final long RETRY_NANOS = 2_000_000_000L;
    private final Map<Long, Long> deadlines = new HashMap<>();
    private final Map<Long, Long> expiring = new HashMap<>();
    private boolean leading;
    private long term = -1;

    void granted(long id, long ttlSeconds, long now) {
        deadlines.put(id, now + ttlSeconds * 1_000_000_000L);
    }

    void removed(long id) {
        deadlines.remove(id);
        expiring.remove(id);
    }

    /** A keep-alive on the leader: the TTL granted, or 0 when the lease does not exist (etcd's answer). */
    long renew(LeaseTable table, long id, long now) {
        LeaseTable.Lease l = table.get(id);
        if (l == null) {
            return 0;
        }
        deadlines.put(id, now + l.ttl() * 1_000_000_000L);
        expiring.remove(id);
        return l.ttl();
    }

    /** Seconds left (etcd truncates), -1 when unknown. */
    long remaining(long id, long now) {
        Long d = deadlines.get(id);
        return d == null ? -1 : Math.max(0, (d - now) / 1_000_000_000L);
    }

    boolean leading() {
        return leading;
    }

    interface Expirer {
        boolean expire(long leaseId);
    }

    void tick(LeaseTable table, boolean isLeader, long currentTerm, long now, Expirer expirer) {
        if (!isLeader) {
            leading = false;
            return;
        }
        if (!leading || currentTerm != term) {
            leading = true;
            term = currentTerm;
            expiring.clear();
            deadlines.clear();
            table.all().values().forEach(l -> granted(l.id(), l.ttl(), now));
        }
        for (Map.Entry<Long, Long> e : deadlines.entrySet()) {
            if (e.getValue() - now > 0) {
                continue;
            }
            Long proposedAt = expiring.get(e.getKey());
            if ((proposedAt == null || now - proposedAt > RETRY_NANOS) && expirer.expire(e.getKey())) {
                expiring.put(e.getKey(), now);
            }
        }
    }

    void clear() {
        deadlines.clear();
        expiring.clear();
        leading = false;
    }
}
