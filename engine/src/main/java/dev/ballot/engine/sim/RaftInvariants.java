package dev.ballot.engine.sim;

import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import dev.ballot.engine.raft.RaftNode;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Raft paper's safety properties (Figure 3), checked as the simulation runs. Log matching is checked on what
 * each node persisted, through a hash chained over every entry: two logs that hold the same (index, term) must
 * hold the same chain there.
 */
final class RaftInvariants implements InvariantChecker {
    private record IndexTerm(long index, long term) {
    }

    private record LeaderMark(long term, long lastIndex, long lastTerm) {
    }

    /** A node's persisted log as chain hashes; {@code base} is the chain at the snapshot index (null if unknown). */
    private static final class DiskChain {
        long baseIndex;
        Long base = 0L;
        final TreeMap<Long, Long> chain = new TreeMap<>();

        Long at(long index) {
            if (index == baseIndex) {
                return base;
            }
            return chain.get(index);
        }
    }

    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, LeaderMark> leaderMarks = new HashMap<>();
    private final Map<IndexTerm, Long> chainOf = new HashMap<>();
    private final Map<Long, DiskChain> disks = new HashMap<>();
    /** Chain over the committed log, index -> chain. */
    private final TreeMap<Long, Long> committedChain = new TreeMap<>();
    /**
     * For each committed index, the highest term any node had reached when it was first applied: the entry was
     * committed in that term or earlier, so every leader of a higher term must hold it.
     */
    private final TreeMap<Long, Long> committedByTerm = new TreeMap<>();
    private long highestTerm;

    static long mix(long prev, LogEntry e) {
        long h = prev * 0x9E3779B97F4A7C15L + e.index();
        h = h * 31 + e.term();
        h = h * 31 + e.type().ordinal();
        h = h * 31 + Arrays.hashCode(e.data());
        return h ^ (h >>> 29);
    }

    private void observeTerms(SimView view) {
        for (long id : view.upNodes()) {
            highestTerm = Math.max(highestTerm, ((RaftNode) view.node(id)).currentTerm());
        }
    }

    @Override
    public void onApplied(long id, LogEntry entry, SimView view) {
        long i = entry.index();
        if (!committedByTerm.containsKey(i)) {
            observeTerms(view);
            committedByTerm.put(i, highestTerm);
        }
        if (!committedChain.containsKey(i)) {
            Long prev = i == 1 ? Long.valueOf(0L) : committedChain.get(i - 1);
            if (prev != null) {
                committedChain.put(i, mix(prev, entry));
            }
        }
    }

    @Override
    public void onPersisted(long id, Ready ready, SimView view) {
        DiskChain d = disks.computeIfAbsent(id, k -> new DiskChain());
        if (ready.truncateFrom() != Ready.NO_TRUNCATION) {
            d.chain.tailMap(ready.truncateFrom(), true).clear();
        }
        if (ready.snapshot() != null) {
            long s = ready.snapshot().index();
            d.chain.headMap(s, true).clear();
            d.baseIndex = s;
            d.base = committedChain.get(s);
        }
        for (LogEntry e : ready.entries()) {
            Long prev = d.at(e.index() - 1);
            Long h = prev == null ? null : mix(prev, e);
            if (h == null) {
                d.chain.remove(e.index());
                continue;
            }
            d.chain.put(e.index(), h);
            Long seen = chainOf.putIfAbsent(new IndexTerm(e.index(), e.term()), h);
            if (seen != null && !seen.equals(h)) {
                throw new InvariantViolation("log matching", "node " + id + " persisted entry " + e.index() + "@"
                        + e.term() + " on a prefix that differs from another log holding " + e.index() + "@" + e.term());
            }
        }
    }

    @Override
    public void afterEvent(SimView view) {
        observeTerms(view);
        for (long id : view.upNodes()) {
            RaftNode n = (RaftNode) view.node(id);
            if (!n.isLeader()) {
                continue;
            }
            long term = n.currentTerm();
            Long other = leaderOfTerm.putIfAbsent(term, id);
            if (other != null && other != id) {
                throw new InvariantViolation("election safety", "nodes " + other + " and " + id + " both led term " + term);
            }
            LeaderMark mark = leaderMarks.get(id);
            if (mark == null || mark.term() != term) {
                checkLeaderCompleteness(id, n, view);
            } else {
                long t = n.termAt(mark.lastIndex());
                if (n.lastIndex() < mark.lastIndex() || (t >= 0 && t != mark.lastTerm())) {
                    throw new InvariantViolation("leader append-only", "leader " + id + " of term " + term
                            + " had entry " + mark.lastIndex() + "@" + mark.lastTerm() + ", now last index "
                            + n.lastIndex() + " with term " + t + " there");
                }
            }
            leaderMarks.put(id, new LeaderMark(term, n.lastIndex(), n.termAt(n.lastIndex())));
        }
    }

    /**
     * A leader of term T must hold every entry committed in a term below T. A leader may also be crowned late (its
     * votes were delayed while newer terms went on); entries committed after the cluster passed T do not bind it.
     */
    private void checkLeaderCompleteness(long id, RaftNode n, SimView view) {
        for (LogEntry e : view.committed().tailMap(n.snapshotIndex(), false).values()) {
            Long bound = committedByTerm.get(e.index());
            if (bound == null || bound >= n.currentTerm()) {
                continue;
            }
            long t = n.termAt(e.index());
            if (t != e.term()) {
                throw new InvariantViolation("leader completeness", "node " + id + " leads term " + n.currentTerm()
                        + " but lacks committed entry " + e.index() + "@" + e.term() + " (its log has term " + t + ")");
            }
        }
    }
}
