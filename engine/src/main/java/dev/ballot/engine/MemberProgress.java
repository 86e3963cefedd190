package dev.ballot.engine;

/**
 * One member as a node sees it. {@code matchIndex} and {@code ticksSinceContact} are known on the
 * leader only; elsewhere they are -1.
 */
public record MemberProgress(long id, MemberKind kind, String address, long matchIndex, long ticksSinceContact) {
}
