package dev.ballot.operator.reconciler;

import dev.ballot.nodeapi.tls.SwitchableTls;
import dev.ballot.nodeapi.tls.TlsMaterial;

import javax.net.ssl.SSLContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's identity towards every cluster with TLS: one certificate per cluster (issued by that cluster's CA,
 * URI SAN ballot://operator), all in one {@link SSLContext} that the operator's one node-API client uses. The JDK
 * presents, to each member, the certificate issued by the CA that member asks for; it trusts every cluster's CA (and
 * checks the member's DNS name, as for any HTTPS server).
 */
final class OperatorTls {
    private final Map<String, TlsMaterial> byCluster = new ConcurrentHashMap<>();
    private final SwitchableTls tls = SwitchableTls.of(List.of());

    /** Whether {@code cluster} serves its members' API over TLS. */
    static boolean enabled(dev.ballot.operator.api.ElectionCluster cluster, OperatorSettings settings) {
        return cluster.getSpec() != null && dev.ballot.operator.desired.EffectiveSpec.of(cluster.getSpec(),
                settings.tlsDefaultEnabled()).tls();
    }

    SSLContext context() {
        return tls.context();
    }

    /** The operator's certificate for cluster {@code key} (namespace/name), replacing the previous one. */
    synchronized void put(String key, TlsMaterial material) {
        if (!material.equals(byCluster.get(key))) {
            byCluster.put(key, material);
            tls.use(List.copyOf(byCluster.values()));
        }
    }

    synchronized void remove(String key) {
        if (byCluster.remove(key) != null) {
            tls.use(List.copyOf(byCluster.values()));
        }
    }
}
