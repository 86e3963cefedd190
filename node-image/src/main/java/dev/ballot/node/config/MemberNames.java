package dev.ballot.node.config;

/**
 * A member's API name (docs/conventions.md): the first DNS label of its host when that is a host name
 * ({@code ec-raft-0.ec-raft-peers.default.svc} -> {@code ec-raft-0}), {@code node-<id>} for an IP
 * literal and for {@code localhost} (so a loopback demo on one host gets distinct names).
 */
final class MemberNames {
    private MemberNames() {
    }

    static String nameOf(HostPort address, long id) {
        if (address.isIpLiteral() || address.host().equalsIgnoreCase("localhost")) {
            return "node-" + id;
        }
        String host = address.host();
        int dot = host.indexOf('.');
        return dot < 0 ? host : host.substring(0, dot);
    }
}
