package dev.ballot.zookeeper;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.logging.Logger;

/**
 * The leader's session clock (ZooKeeper's SessionTracker): every session has a deadline, pushed back whenever a
 * member hears from its client; a session past its deadline is closed by a closeSession txn through the log, so
 * every replica drops it and its ephemeral znodes at the same zxid. A member that becomes leader starts every
 * session's clock afresh (as ZooKeeper's new leader does), so a failover never expires a live session.
 */
final class SessionExpiry {
    private static final Logger LOG = Logger.getLogger(SessionExpiry.class.getName());

    private final DataTree tree;
    private final Executor closer;
    private final java.util.function.LongConsumer close;
    private final Map<Long, Long> deadlines = new HashMap<>();
    private final Map<Long, Long> closing = new HashMap<>();
    private boolean leading;

    /** {@code close} proposes one closeSession; it runs on {@code closer}, never on the caller's thread. */
    SessionExpiry(DataTree tree, Executor closer, java.util.function.LongConsumer close) {
        this.tree = tree;
        this.closer = closer;
        this.close = close;
    }

    /** A member heard from the session's client. */
    synchronized void touch(long sessionId) {
        if (!leading) {
            return;
        }
        DataTree.Session s = tree.session(sessionId);
        if (s != null) {
            deadlines.put(sessionId, System.nanoTime() + s.timeoutMs() * 1_000_000L);
        }
    }

    /** Runs periodically on every member; only the leader acts. */
    synchronized void tick(boolean isLeader) {
        if (!isLeader) {
            leading = false;
            deadlines.clear();
            closing.clear();
            return;
        }
        long now = System.nanoTime();
        Map<Long, Integer> timeouts = tree.sessionTimeouts();
        if (!leading) {
            leading = true;
            deadlines.clear();
        }
        timeouts.forEach((id, t) -> deadlines.putIfAbsent(id, now + t * 1_000_000L));
        deadlines.keySet().retainAll(timeouts.keySet());
        closing.keySet().retainAll(timeouts.keySet());
        for (Map.Entry<Long, Long> e : deadlines.entrySet()) {
            long id = e.getKey();
            Long since = closing.get(id);
            if (now - e.getValue() > 0 && (since == null || now - since > 2_000_000_000L)) {
                closing.put(id, now);
                LOG.info(() -> "session 0x" + Long.toHexString(id) + " expired; closing it");
                closer.execute(() -> close.accept(id));
            }
        }
    }
}
