package dev.ballot.node.config;

import java.util.Map;

/**
 * The optional plain-HTTP metrics listener ({@code metrics_address} in the Raft YAML, {@code metricsAddress} in
 * zoo.cfg, {@code BALLOT_METRICS_ADDRESS} for both): {@code GET /metrics} only, never TLS, so Prometheus scrapes a
 * member the same way whatever the cluster's TLS (etcd's {@code --listen-metrics-urls}, ZooKeeper's metrics port).
 * Unset: no listener; {@code /metrics} stays on the HTTP API as well either way.
 */
final class MetricsAddress {
    static final String RAFT_KEY = "metrics_address";
    static final String ZAB_KEY = "metricsAddress";
    /** The port the operator gives it (docs/conventions.md "Ports"). */
    static final int SUGGESTED_PORT = 9180;

    private MetricsAddress() {
    }

    /**
     * The listener's address, or null when {@code setting} is null.
     *
     * @param taken this node's other ports, each with what it is (named by its setting), which the listener may not share
     */
    static HostPort parse(Setting setting, Map<Integer, String> taken) throws ConfigException {
        if (setting == null) {
            return null;
        }
        HostPort address;
        try {
            address = HostPort.parse(setting.value());
        } catch (IllegalArgumentException e) {
            throw setting.error(e.getMessage(), "write host:port, e.g. \"0.0.0.0:" + SUGGESTED_PORT
                    + "\", or leave it unset to serve /metrics on the HTTP API only");
        }
        String other = taken.get(address.port());
        if (other != null) {
            throw setting.error("port " + address.port() + " is already " + other,
                    "give the metrics listener a port of its own, e.g. " + SUGGESTED_PORT);
        }
        return address;
    }
}
