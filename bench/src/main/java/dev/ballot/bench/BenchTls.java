package dev.ballot.bench;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Certificates for {@code --tls} (the same BouncyCastle CA the operator and the node use), in cert-manager's layout
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). Ballot's clusters get theirs from {@code LocalCluster.enableTls};
 * etcd gets a CA of its own with one server certificate for 127.0.0.1 (its members all listen there) and a client one.
 */
final class BenchTls {
    private static final Duration VALIDITY = Duration.ofDays(1);

    private BenchTls() {
    }

    /** Writes {@code dir/server} and {@code dir/client}; returns {@code dir}. */
    static Path issueEtcd(Path dir) throws IOException {
        Instant now = Instant.now().minusSeconds(60);
        CertificateAuthority ca = CertificateAuthority.create("bench-etcd-ca", now, VALIDITY);
        ca.writeDirectory(dir.resolve("server"), ca.issue("etcd", List.of("localhost"), List.of("127.0.0.1"), List.of(),
                now, VALIDITY));
        ca.writeDirectory(dir.resolve("client"), ca.issue("bench-client", List.of(), List.of(), List.of(), now, VALIDITY));
        return dir;
    }

    /** etcd's flags for TLS on clients and peers, each side requiring a certificate from the CA. */
    static List<String> etcdFlags(Path server) {
        String cert = server.resolve(TlsMaterial.CERT_FILE).toString();
        String key = server.resolve(TlsMaterial.KEY_FILE).toString();
        String ca = server.resolve(TlsMaterial.CA_FILE).toString();
        return List.of("--cert-file", cert, "--key-file", key, "--client-cert-auth", "--trusted-ca-file", ca,
                "--peer-cert-file", cert, "--peer-key-file", key, "--peer-client-cert-auth", "--peer-trusted-ca-file", ca);
    }

    /** A client context presenting the certificate in {@code dir} and trusting its CA. */
    static SSLContext context(Path dir) throws IOException {
        try {
            return ReloadingTls.open(dir).context();
        } catch (TlsException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
