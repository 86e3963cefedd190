package dev.ballot.node.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a ZAB member serves the ZooKeeper client protocol, as ZooKeeper's own keys say. Present only when the
 * file names a client port ({@code clientPort} or this server's {@code ;port}), as ZooKeeper serves clients only then.
 *
 * @param listen            where this member accepts ZooKeeper clients ({@code clientPortAddress:clientPort}, or this
 *                          server's {@code ;[address:]port} suffix); default port 2181
 * @param memberAddresses   every member's ZooKeeper client address by member id (its suffix, or its host with this
 *                          node's client port): the connect string a client is given
 * @param maxClientCnxns    connections one client IP may hold at once (0: no limit); ZooKeeper's default 60
 * @param minSessionTimeout the shortest session timeout granted (ZooKeeper's default: 2 ticks)
 * @param maxSessionTimeout the longest session timeout granted (ZooKeeper's default: 20 ticks)
 */
public record ZooKeeperClientConfig(HostPort listen, Map<Long, HostPort> memberAddresses, int maxClientCnxns,
                                    Duration minSessionTimeout, Duration maxSessionTimeout) {
    public static final int DEFAULT_PORT = 2181;
    public static final int DEFAULT_MAX_CLIENT_CNXNS = 60;

    public ZooKeeperClientConfig {
        Objects.requireNonNull(listen, "listen");
        memberAddresses = java.util.Collections.unmodifiableMap(new TreeMap<>(memberAddresses));
        if (minSessionTimeout.compareTo(maxSessionTimeout) > 0) {
            throw new IllegalArgumentException("minSessionTimeout above maxSessionTimeout");
        }
    }

    /** The connect string for ZooKeeper clients: every member's client address, in id order. */
    public String connectString() {
        return String.join(",", memberAddresses.values().stream().map(HostPort::toString).toList());
    }
}
