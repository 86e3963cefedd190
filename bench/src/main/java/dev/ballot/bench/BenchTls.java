package dev.ballot.bench;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;

import io.netty.handler.ssl.SslContextBuilder;
import org.apache.zookeeper.client.ZKClientConfig;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Certificates for {@code --tls} (the same BouncyCastle CA the operator and the node use), in cert-manager's layout
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). Ballot's clusters get theirs from {@code LocalCluster.enableTls};
 * etcd and ZooKeeper each get a CA of their own with one server certificate for 127.0.0.1 (their members all listen
 * there) and a client one. The clients' settings for each protocol's own client are here too: jetcd's and the
 * ZooKeeper client's, as an application sets them up with a cluster's certificates.
 */
final class BenchTls {
    private static final Duration VALIDITY = Duration.ofDays(1);

    private BenchTls() {
    }

    /** Writes {@code dir/server} and {@code dir/client} for etcd; returns {@code dir}. */
    static Path issueEtcd(Path dir) throws IOException {
        return issue(dir, "etcd");
    }

    /**
     * Writes {@code dir/server} and {@code dir/client} from a CA of their own, {@code system}'s; returns {@code dir}.
     * The server certificate is also what ZooKeeper's servers present to each other (quorum TLS checks the peer's
     * address against it, 127.0.0.1); the client one names 127.0.0.1 as well, where every client connects from.
     */
    static Path issue(Path dir, String system) throws IOException {
        Instant now = Instant.now().minusSeconds(60);
        CertificateAuthority ca = CertificateAuthority.create("bench-" + system + "-ca", now, VALIDITY);
        ca.writeDirectory(dir.resolve("server"), ca.issue(system, List.of("localhost"), List.of("127.0.0.1"), List.of(),
                now, VALIDITY));
        ca.writeDirectory(dir.resolve("client"), ca.issue("bench-client", List.of(), List.of("127.0.0.1"), List.of(),
                now, VALIDITY));
        return dir;
    }

    /**
     * ZooKeeper's key stores as PEM (ZooKeeper reads the type PEM since 3.5.5): one file with the key and its
     * certificate, written next to them in {@code dir}; returns it.
     */
    static Path pemKeyStore(Path dir) throws IOException {
        Path keyStore = dir.resolve("keystore.pem");
        if (!Files.exists(keyStore)) {
            Files.writeString(keyStore, Files.readString(dir.resolve(TlsMaterial.KEY_FILE))
                    + Files.readString(dir.resolve(TlsMaterial.CERT_FILE)));
        }
        return keyStore;
    }

    /**
     * The ZooKeeper client's TLS settings (its {@code zookeeper.client.secure} mode, which needs the Netty socket),
     * presenting the certificate in {@code dir} and trusting its CA, SASL off as for the plain client
     * ({@link ZooKeeperBenchCluster#withoutSasl}). The chain is checked; the host name is not, as the e2e journey's
     * client does (the cost is the handshake's either way, and members' names differ between set-ups).
     */
    static ZKClientConfig zooKeeperClient(Path dir) throws IOException {
        ZKClientConfig config = ZooKeeperBenchCluster.withoutSasl();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty("zookeeper.ssl.keyStore.location", pemKeyStore(dir).toString());
        config.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        config.setProperty("zookeeper.ssl.trustStore.location", dir.resolve(TlsMaterial.CA_FILE).toString());
        config.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        config.setProperty("zookeeper.ssl.hostnameVerification", "false");
        return config;
    }

    /**
     * A ZooKeeper server's TLS as JVM properties (ZooKeeper's own admin guide sets them so): the Netty connection
     * factory (the secure client port needs it; it then serves the plain port too), the server's PEM stores for its
     * secure client port and for quorum TLS, each side requiring a certificate from the CA (ZooKeeper's default).
     */
    static List<String> zooKeeperServerProperties(Path server) throws IOException {
        String keyStore = pemKeyStore(server).toString();
        String ca = server.resolve(TlsMaterial.CA_FILE).toString();
        return List.of("-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "-Dzookeeper.ssl.keyStore.location=" + keyStore, "-Dzookeeper.ssl.keyStore.type=PEM",
                "-Dzookeeper.ssl.trustStore.location=" + ca, "-Dzookeeper.ssl.trustStore.type=PEM",
                "-Dzookeeper.ssl.quorum.keyStore.location=" + keyStore, "-Dzookeeper.ssl.quorum.keyStore.type=PEM",
                "-Dzookeeper.ssl.quorum.trustStore.location=" + ca, "-Dzookeeper.ssl.quorum.trustStore.type=PEM");
    }

    /** jetcd's TLS (gRPC over TLS as etcdctl and applications use it): the certificate in {@code dir}, its CA. */
    static Consumer<SslContextBuilder> jetcd(Path dir) {
        return b -> b.trustManager(dir.resolve(TlsMaterial.CA_FILE).toFile())
                .keyManager(dir.resolve(TlsMaterial.CERT_FILE).toFile(), dir.resolve(TlsMaterial.KEY_FILE).toFile());
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
