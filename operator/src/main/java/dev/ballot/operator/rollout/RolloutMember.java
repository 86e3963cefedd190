package dev.ballot.operator.rollout;

/**
 * One member as the rollout planner sees it. {@code updated}: its pod runs the current template. {@code healthy}:
 * pod ready and member answering with a known leader. {@code present}: its pod exists and is not terminating.
 */
public record RolloutMember(String name, int ordinal, boolean voter, boolean present, boolean updated,
                            boolean healthy, boolean leader) {
}
