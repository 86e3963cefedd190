package dev.ballot.node.config;

import dev.ballot.engine.MemberKind;
import java.util.Objects;

/**
 * One member as the configuration names it.
 *
 * @param id              member id (> 0): Raft position in {@code peers}, ZAB {@code N} of {@code server.N}
 * @param name            the API name (first DNS label of the host, or {@code node-<id>} for an IP)
 * @param peerAddress     where peers dial it (Raft peer port, ZAB quorum port)
 * @param electionAddress ZAB election port; null for Raft
 * @param clientAddress   its HTTP address: the peer's host with this node's client port
 */
public record PeerSpec(long id, String name, MemberKind kind, HostPort peerAddress, HostPort electionAddress,
                       HostPort clientAddress) {
    public PeerSpec {
        if (id <= 0) {
            throw new IllegalArgumentException("member id must be positive, got " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peerAddress, "peerAddress");
        Objects.requireNonNull(clientAddress, "clientAddress");
    }
}
