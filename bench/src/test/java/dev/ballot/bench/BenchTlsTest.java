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
        X509Certificate server = read(certs.resolve("server/tls.crt"));
        X509Certificate client = read(certs.resolve("client/tls.crt"));
        X509Certificate ca = read(certs.resolve("server/ca.crt"));
        server.verify(ca.getPublicKey());
        client.verify(ca.getPublicKey());
        assertThat(server.getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"));
        assertThat(Files.readString(certs.resolve("client/ca.crt"))).isEqualTo(Files.readString(certs.resolve("server/ca.crt")));
        assertThat(BenchTls.etcdFlags(certs.resolve("server"))).containsSubsequence("--cert-file", "--key-file",
                "--client-cert-auth", "--trusted-ca-file", "--peer-cert-file", "--peer-key-file",
                "--peer-client-cert-auth", "--peer-trusted-ca-file");
        assertThat(BenchTls.context(certs.resolve("client")).getProtocol()).isNotBlank();
    }

    @Test
    void tlsWithoutTheHttpClientIsRefusedNamingTheFix() {
        BenchMain main = new BenchMain();
        new CommandLine(main).parseArgs("--tls");
        assertThatThrownBy(main::call).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--tls: TLS is measured through one HTTPS client").hasMessageEndingWith("add --client http");
        assertThat(new CommandLine(new BenchMain()).execute("--tls")).as("exit code for bad options").isEqualTo(2);
    }

    private static X509Certificate read(Path pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }
}
