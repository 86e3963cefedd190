package dev.ballot.operator.desired;

/** A member the operator expects: its pod name, engine id, whether it votes, and its peer DNS host. */
public record MemberEndpoint(String name, int id, boolean voter, String host) {
}
