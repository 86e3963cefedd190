package dev.ballot.node.config;

import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;
import dev.ballot.engine.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One node's validated configuration.
 *
 * @param members        every member in id order, this node included
 * @param peerListen     where this node accepts peer connections (Raft peer port, ZAB quorum port)
 * @param electionListen ZAB election port; null for Raft
 * @param clientListen   where the HTTP API listens
 * @param raft           set for Raft, null for ZAB
 * @param zab            set for ZAB, null for Raft
 * @param zookeeper      ZAB: where the ZooKeeper client protocol is served; null for Raft and when no client port is set
 * @param warnings       settings that were accepted but mean nothing to Ballot (ZooKeeper keys it ignores), one
 *                       line each, for the node to log at start
 * @param etcdListen     Raft: where the etcd v3 gRPC API listens ({@code etcd_address}); null: off, and the log
 *                       feeds the HTTP key-value store instead
 * @param limits         what the HTTP API accepts (sizes, connections, subscribers, read timeout)
 * @param tls            TLS for the HTTP API and peers; null: plain TCP
 * @param quotaBytes     keyspace quota of the HTTP key-value store ({@code quota_bytes}); {@link Long#MAX_VALUE}: none
 * @param metricsListen  where the plain-HTTP metrics listener serves {@code GET /metrics} ({@code metrics_address} /
 *                       {@code metricsAddress}, {@code BALLOT_METRICS_ADDRESS}), never TLS; null: no such listener
 */
public record NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                         HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                         RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings,
                         HostPort etcdListen, ClientLimits limits, TlsSettings tls, long quotaBytes,
                         HostPort metricsListen) {
    /** The node's logical clock: the engine is ticked this often. */
    public static final Duration TICK = Duration.ofMillis(10);
    /**
     * The HTTP API's default port (status, events, admin, health, metrics, Ballot's key-value store): 8080, so the
     * client ports applications expect stay free (etcd's 2379, ZooKeeper's 2181). docs/conventions.md "Ports".
     */
    public static final int DEFAULT_HTTP_PORT = 8080;

    public NodeConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(nodeName, "nodeName");
        members = List.copyOf(members);
        warnings = List.copyOf(warnings);
        Objects.requireNonNull(peerListen, "peerListen");
        Objects.requireNonNull(clientListen, "clientListen");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(limits, "limits");
        if ((raft == null) == (zab == null)) {
            throw new IllegalArgumentException("exactly one of raft and zab timing must be set");
        }
        if ((protocol == Protocol.RAFT) != (raft != null)) {
            throw new IllegalArgumentException("timing does not match protocol " + protocol);
        }
        if (members.stream().noneMatch(m -> m.id() == nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " is not among the members");
        }
    }

    /** A configuration without a metrics listener. */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings,
                      HostPort etcdListen, ClientLimits limits, TlsSettings tls, long quotaBytes) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, zookeeper, warnings, etcdListen, limits, tls, quotaBytes, null);
    }

    /** A configuration without a keyspace quota. */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings,
                      HostPort etcdListen, ClientLimits limits, TlsSettings tls) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, zookeeper, warnings, etcdListen, limits, tls, Long.MAX_VALUE);
    }

    /** A configuration without TLS. */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings,
                      HostPort etcdListen, ClientLimits limits) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, zookeeper, warnings, etcdListen, limits, null);
    }

    /** A configuration with the default client limits. */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings,
                      HostPort etcdListen) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, zookeeper, warnings, etcdListen, ClientLimits.defaults());
    }

    /** A configuration without a ZooKeeper client endpoint and without warnings (Raft). */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, null, List.of(), null);
    }

    /** A configuration without the etcd API (ZAB). */
    public NodeConfig(Protocol protocol, String clusterId, long nodeId, String nodeName, List<PeerSpec> members,
                      HostPort peerListen, HostPort electionListen, HostPort clientListen, Path dataDir,
                      RaftTiming raft, ZabTiming zab, ZooKeeperClientConfig zookeeper, List<String> warnings) {
        this(protocol, clusterId, nodeId, nodeName, members, peerListen, electionListen, clientListen, dataDir, raft,
                zab, zookeeper, warnings, null);
    }

    public PeerSpec self() {
        return member(nodeId).orElseThrow();
    }

    public Optional<PeerSpec> member(long id) {
        return members.stream().filter(m -> m.id() == id).findFirst();
    }

    public Optional<PeerSpec> memberNamed(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The members other than this node. */
    public List<PeerSpec> peers() {
        return members.stream().filter(m -> m.id() != nodeId).toList();
    }

    /** The initial configuration for the engine; a member's address is its peer address. */
    public Membership initialMembership() {
        return Membership.of(members.stream()
                .map(m -> new Member(m.id(), m.kind(), m.peerAddress().toString()))
                .toList());
    }

    static int ticks(Duration d, Duration tick) {
        long t = Math.round((double) d.toNanos() / tick.toNanos());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, t));
    }
}
