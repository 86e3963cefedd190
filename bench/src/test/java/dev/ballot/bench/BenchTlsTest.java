package dev.ballot.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchTlsTest {

    @Test
    void etcdGetsAServerCertificateFor127001AndAClientOneFromOneCa(@TempDir Path dir) throws Exception {
        Path certs = BenchTls.issueEtcd(dir);
        serverAndClientFromOneCaFor127001(certs);
        assertThat(Files.readString(certs.resolve("client/ca.crt"))).isEqualTo(Files.readString(certs.resolve("server/ca.crt")));
        assertThat(BenchTls.etcdFlags(certs.resolve("server"))).containsSubsequence("--cert-file", "--key-file",
                "--client-cert-auth", "--trusted-ca-file", "--peer-cert-file", "--peer-key-file",
                "--peer-client-cert-auth", "--peer-trusted-ca-file");
        assertThat(BenchTls.context(certs.resolve("client")).getProtocol()).isNotBlank();
    }

    @Test
    void tlsIsAcceptedWithEitherClientAndAnUnknownClientIsStillRefused() {
        for (String[] args : List.of(new String[] {"--tls"}, new String[] {"--tls", "--client", "native"},
                new String[] {"--tls", "--client", "http", "--systems", "ballot-raft,etcd"},
                new String[] {"--tls", "--systems", "zookeeper,ballot-zab"})) {
            BenchMain main = new BenchMain();
            new CommandLine(main).parseArgs(args);
            main.validate();
            assertThat(main.tls).isTrue();
        }
        BenchMain bad = new BenchMain();
        new CommandLine(bad).parseArgs("--tls", "--client", "grpc");
        assertThatThrownBy(bad::validate).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--client: unknown client 'grpc'; use native (each system's own protocol) or http");
        assertThat(new CommandLine(new BenchMain()).execute("--tls", "--client", "grpc")).as("exit code for bad options")
                .isEqualTo(2);
    }

    @Test
    void zooKeeperGetsItsOwnCaAndPemStoresForItsServersAndTheSecureClient(@TempDir Path dir) throws Exception {
        Path certs = BenchTls.issue(dir, "zookeeper");
        // quorum TLS checks each server's address against its certificate; every client connects from 127.0.0.1
        X509Certificate client = serverAndClientFromOneCaFor127001(certs);
        assertThat(client.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"));

        List<String> props = BenchTls.zooKeeperServerProperties(certs.resolve("server"));
        assertThat(props).contains("-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "-Dzookeeper.ssl.keyStore.type=PEM", "-Dzookeeper.ssl.quorum.trustStore.type=PEM");
        String keyStore = Files.readString(certs.resolve("server/keystore.pem"));
        assertThat(keyStore).contains("PRIVATE KEY").contains("BEGIN CERTIFICATE");

        var config = BenchTls.zooKeeperClient(certs.resolve("client"));
        assertThat(config.getBoolean(org.apache.zookeeper.client.ZKClientConfig.SECURE_CLIENT)).isTrue();
        assertThat(config.getProperty(org.apache.zookeeper.client.ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET))
                .isEqualTo("org.apache.zookeeper.ClientCnxnSocketNetty");
        assertThat(config.getProperty("zookeeper.ssl.keyStore.location")).isEqualTo(certs.resolve("client/keystore.pem").toString());
        assertThat(config.getProperty("zookeeper.ssl.trustStore.location")).isEqualTo(certs.resolve("client/ca.crt").toString());
        assertThat(config.getProperty(org.apache.zookeeper.client.ZKClientConfig.ENABLE_CLIENT_SASL_KEY)).isEqualTo("false");
    }

    /** Checks that {@code certs}' server and client certificates come from one CA and the server's names 127.0.0.1. */
    private static X509Certificate serverAndClientFromOneCaFor127001(Path certs) throws Exception {
        X509Certificate ca = read(certs.resolve("server/ca.crt"));
        X509Certificate server = read(certs.resolve("server/tls.crt"));
        X509Certificate client = read(certs.resolve("client/tls.crt"));
        server.verify(ca.getPublicKey());
        client.verify(ca.getPublicKey());
        assertThat(server.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"));
        return client;
    }

    private static X509Certificate read(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }
}
