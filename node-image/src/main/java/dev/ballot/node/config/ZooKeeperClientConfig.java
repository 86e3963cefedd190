package dev.ballot.node.config;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a ZAB member serves the ZooKeeper client protocol, as ZooKeeper's own keys say. Present only when the
 * file names a client port ({@code clientPort}, this server's {@code ;port}, or {@code secureClientPort}), as
 * ZooKeeper serves clients only then.
 *
 * @param listen            where this member accepts ZooKeeper clients in plain TCP ({@code clientPortAddress:clientPort},
 *                          or this server's {@code ;[address:]port} suffix); null when only the secure port is served
 * @param memberAddresses   every member's plain ZooKeeper client address by member id (its suffix, or its host with
 *                          this node's client port); empty when {@code listen} is null
 * @param secureListen      where this member accepts ZooKeeper clients over TLS ({@code secureClientPortAddress:
 *                          secureClientPort}); null when not served (then TLS is off)
 * @param secureMemberAddresses every member's secure client address (its peer host with this node's secure port):
 *                          the connect string of TLS clients, and where a follower links to its leader
 * @param maxClientCnxns    connections one client IP may hold at once (0: no limit); ZooKeeper's default 60
 * @param minSessionTimeout the shortest session timeout granted (ZooKeeper's default: 2 ticks)
 * @param maxSessionTimeout the longest session timeout granted (ZooKeeper's default: 20 ticks)
 */
public record ZooKeeperClientConfig(HostPort listen, Map<Long, HostPort> memberAddresses, HostPort secureListen,
                                    Map<Long, HostPort> secureMemberAddresses, int maxClientCnxns,
                                    Duration minSessionTimeout, Duration maxSessionTimeout) {
    public static final int DEFAULT_PORT = 2181;
    /** ZooKeeper's customary secureClientPort (its docs' examples; the operator's on TLS clusters). */
    public static final int DEFAULT_SECURE_PORT = 2281;
    public static final int DEFAULT_MAX_CLIENT_CNXNS = 60;

    public ZooKeeperClientConfig {
        if (listen == null && secureListen == null) {
            throw new IllegalArgumentException("neither clientPort nor secureClientPort");
        }
        memberAddresses = java.util.Collections.unmodifiableMap(new TreeMap<>(memberAddresses));
        secureMemberAddresses = java.util.Collections.unmodifiableMap(new TreeMap<>(secureMemberAddresses));
        if (minSessionTimeout.compareTo(maxSessionTimeout) > 0) {
            throw new IllegalArgumentException("minSessionTimeout above maxSessionTimeout");
        }
    }

    /** The connect string for ZooKeeper clients: every member's client address, in id order (the secure ones without a plain port). */
    public String connectString() {
        Map<Long, HostPort> a = listen != null ? memberAddresses : secureMemberAddresses;
        return String.join(",", a.values().stream().map(HostPort::toString).toList());
    }

    /** The connect string for TLS clients ({@code zookeeper.client.secure=true}); empty when no secure port. */
    public String secureConnectString() {
        return String.join(",", secureMemberAddresses.values().stream().map(HostPort::toString).toList());
    }
}
