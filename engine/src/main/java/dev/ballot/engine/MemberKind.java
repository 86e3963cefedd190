package dev.ballot.engine;

/** How a member takes part: voters count toward quorums; learners (Raft) and observers (ZAB) only replicate. */
public enum MemberKind {
    VOTER, LEARNER, OBSERVER;

    public boolean votes() {
        return this == VOTER;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
