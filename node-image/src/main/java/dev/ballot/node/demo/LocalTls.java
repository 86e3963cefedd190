package dev.ballot.node.demo;

import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.CertificateAuthority;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Certificates for a cluster on this machine, in cert-manager's layout under {@code dir}: a CA, one directory per member
 * ({@code node-N}: its URI name and its loopback address), one for the operator's identity ({@code operator}) and one
 * for an application ({@code client}). What the operator does per cluster in Kubernetes, for the demo and tests.
 */
public final class LocalTls {
    public static final Duration VALIDITY = Duration.ofDays(1);
    private final Path dir;
    private final CertificateAuthority ca;

    private LocalTls(Path dir, CertificateAuthority ca) {
        this.dir = dir;
        this.ca = ca;
    }

    /** @param memberHosts member id to its address (an IP literal: the certificate carries it as an IP SAN) */
    public static LocalTls issue(Path dir, String clusterId, Map<Long, String> memberHosts) throws IOException {
        Instant now = Instant.now().minusSeconds(60); // clocks of a test machine are one clock, but be kind
        LocalTls tls = new LocalTls(dir, CertificateAuthority.create(clusterId + "-ca", now, VALIDITY));
        for (Map.Entry<Long, String> m : memberHosts.entrySet()) {
            String name = "node-" + m.getKey();
            tls.ca.writeDirectory(tls.member(m.getKey()), tls.ca.issue(name, List.of(), List.of(m.getValue()),
                    List.of(CertIdentity.memberUri(clusterId, name)), now, VALIDITY));
        }
        tls.ca.writeDirectory(tls.operator(), tls.ca.issue("ballot-operator", List.of(), List.of(),
                List.of(CertIdentity.OPERATOR_URI), now, VALIDITY));
        tls.ca.writeDirectory(tls.client(), tls.ca.issue("demo-client", List.of(), List.of(), List.of(), now, VALIDITY));
        return tls;
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public Path dir() {
        return dir;
    }

    public Path member(long id) {
        return dir.resolve("node-" + id);
    }

    public Path operator() {
        return dir.resolve("operator");
    }

    public Path client() {
        return dir.resolve("client");
    }
}
