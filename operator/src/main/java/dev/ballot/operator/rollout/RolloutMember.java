package dev.ballot.operator.rollout;

/**
 * One member as the rollout planner sees it. {@code updated}: its pod runs the current template. {@code healthy}:
 * pod ready and member answering with a known leader. {@code present}: its pod exists and is not terminating.
 * {@code down}: its pod is not ready or the member does not answer at all (a member that answers while an election
 * runs is unhealthy but not down).
 */
public record RolloutMember(String name, int ordinal, boolean voter, boolean present, boolean updated,
                            boolean healthy, boolean leader, boolean down) {

    /** A member whose health says everything: unhealthy means down. */
    public RolloutMember(String name, int ordinal, boolean voter, boolean present, boolean updated, boolean healthy,
                         boolean leader) {
        this(name, ordinal, voter, present, updated, healthy, leader, !healthy);
    }
}
