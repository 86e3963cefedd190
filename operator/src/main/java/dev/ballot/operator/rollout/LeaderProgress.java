package dev.ballot.operator.rollout;

import java.util.Map;

/**
 * The leader's own account of replication, read fresh just before a step that costs a voter: who it is, its last
 * log index, and each member's match index (Raft log indexes, or ZAB zxids, which compare within one epoch).
 */
public record LeaderProgress(String leader, long lastIndex, Map<String, Long> matchIndex) {
    public LeaderProgress {
        matchIndex = Map.copyOf(matchIndex);
    }

    /** Entries the member is behind the leader; null when the leader reports no progress for it. */
    public Long lag(String member) {
        if (member.equals(leader)) {
            return 0L;
        }
        Long match = matchIndex.get(member);
        return match == null ? null : Math.max(0, lastIndex - match);
    }
}
