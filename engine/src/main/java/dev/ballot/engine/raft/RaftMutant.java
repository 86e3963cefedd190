package dev.ballot.engine.raft;

import java.util.Locale;
import java.util.Optional;

/**
 * Deliberate bugs the simulator must catch; they prove its checkers can fail. Never enabled outside
 * {@code simulate --mutant} and the tests that run it.
 */
public enum RaftMutant {
    /** Grant votes without the log up-to-date check: a stale node can win and lose committed entries. */
    VOTE_WITHOUT_LOG_CHECK,
    /** Commit an entry of an older term once a majority holds it (the Raft paper's Figure 8). */
    COMMIT_OLD_TERM_BY_COUNT,
    /** Append after the last entry without truncating a conflicting suffix. */
    NO_TRUNCATE_ON_CONFLICT,
    /** Forget whom we voted for in this term: two candidates can both win. */
    VOTE_TWICE_IN_TERM,
    /** Answer ReadIndex at once from the local commit index, without a quorum heartbeat round. */
    READ_WITHOUT_QUORUM;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<RaftMutant> fromWireName(String name) {
        for (RaftMutant m : values()) {
            if (m.wireName().equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
