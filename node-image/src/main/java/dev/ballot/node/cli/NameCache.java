package dev.ballot.node.cli;

import java.security.Security;

/**
 * How long this JVM trusts a resolved host name. A Kubernetes pod that is re-created keeps its DNS name
 * ({@code <pod>.<cluster>-peers...}) but gets a new address; the JVM's default keeps a resolved name for 30 s,
 * so a leader kept dialling a re-created member's old address for that long (measured on the real-node e2e: the
 * member came back as precandidate at 16:44:08 and first heard its leader at 16:44:39). Peer links and
 * forwards resolve again on every dial, so a short cache is all that is needed. Must run before the first
 * lookup: the JVM reads these properties once.
 */
final class NameCache {
    static final String POSITIVE_SECONDS = "2";
    static final String NEGATIVE_SECONDS = "1";

    private NameCache() {
    }

    static void shorten() {
        Security.setProperty("networkaddress.cache.ttl", POSITIVE_SECONDS);
        Security.setProperty("networkaddress.cache.negative.ttl", NEGATIVE_SECONDS);
    }
}
