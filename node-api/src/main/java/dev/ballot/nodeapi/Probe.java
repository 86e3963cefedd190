package dev.ballot.nodeapi;

/**
 * The answer of {@code /healthz} or {@code /readyz}: passed (200), or failed (503) with the node's reason.
 */
public record Probe(boolean passed, String reason) {
    static Probe pass() {
        return new Probe(true, null);
    }

    static Probe fail(String reason) {
        return new Probe(false, reason);
    }
}
