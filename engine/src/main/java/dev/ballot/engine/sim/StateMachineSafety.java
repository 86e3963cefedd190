package dev.ballot.engine.sim;

import dev.ballot.engine.LogEntry;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * State machine safety, for every protocol: every node applies the same entry at an index, in index order, and
 * skips no entry some node applied. Remembers every applied entry for the checks and for {@link SimView#committed}.
 */
final class StateMachineSafety {
    private final TreeMap<Long, LogEntry> committed = new TreeMap<>();
    private final NavigableMap<Long, LogEntry> committedView = Collections.unmodifiableNavigableMap(committed);

    NavigableMap<Long, LogEntry> committed() {
        return committedView;
    }

    int size() {
        return committed.size();
    }

    /**
     * Node {@code node}, which last applied {@code lastApplied}, applies {@code e}; true when no node applied this
     * index before.
     */
    boolean applied(long node, long lastApplied, LogEntry e) {
        if (e.index() <= lastApplied) {
            throw new InvariantViolation("state machine safety", "node " + node + " applied index " + e.index()
                    + " after " + lastApplied);
        }
        Long skipped = committed.higherKey(lastApplied);
        if (skipped != null && skipped < e.index()) {
            throw new InvariantViolation("state machine safety", "node " + node + " applied " + e.index()
                    + " but skipped committed entry " + skipped);
        }
        LogEntry prev = committed.putIfAbsent(e.index(), e);
        if (prev != null && !prev.equals(e)) {
            throw new InvariantViolation("state machine safety", "node " + node + " applied " + e + " at index "
                    + e.index() + " where another node applied " + prev);
        }
        return prev == null;
    }
}
