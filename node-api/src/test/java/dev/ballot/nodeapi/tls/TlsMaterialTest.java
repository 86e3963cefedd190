package dev.ballot.nodeapi.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsMaterialTest {
    private static final Instant NOW = Instant.now().minusSeconds(60);
    private final CertificateAuthority ca = CertificateAuthority.create("test-ca", NOW, Duration.ofDays(1));

    @TempDir
    Path dir;

    @Test
    void reloadsRenewedFilesAndKeepsTheLastGoodOnesWhenTheNewOnesAreBroken() throws Exception {
        CertificateAuthority.Issued first = ca.issue("a", List.of("a.example"), List.of(), List.of(), NOW, Duration.ofDays(1));
        ca.writeDirectory(dir, first);
        ReloadingTls tls = ReloadingTls.open(dir);
        assertThat(tls.material().leaf()).isEqualTo(first.certificate());
        assertThat(tls.reloadIfChanged()).as("unchanged files are not reloaded").isFalse();

        CertificateAuthority.Issued renewed = ca.issue("a", List.of("a.example"), List.of(), List.of(), NOW, Duration.ofDays(2));
        ca.writeDirectory(dir, renewed);
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.material().leaf()).isEqualTo(renewed.certificate());

        Files.writeString(dir.resolve(TlsMaterial.CERT_FILE), first.certificatePem()); // key of `renewed`, cert of `first`
        assertThat(tls.reloadIfChanged()).as("a key that does not fit its certificate is refused").isFalse();
        assertThat(tls.material().leaf()).isEqualTo(renewed.certificate());
    }

    @Test
    void aMemberPicksItsOwnFilesFromTheSharedSecret() throws Exception {
        CertificateAuthority.Issued shared = ca.issue("shared", List.of(), List.of(), List.of(), NOW, Duration.ofDays(1));
        CertificateAuthority.Issued own = ca.issue("ec-0", List.of(), List.of(), List.of(), NOW, Duration.ofDays(1));
        ca.writeDirectory(dir, shared);
        Files.writeString(dir.resolve("ec-0.crt"), own.certificatePem());
        Files.writeString(dir.resolve("ec-0.key"), own.keyPem());
        assertThat(TlsMaterial.load(dir, "ec-0").leaf()).isEqualTo(own.certificate());
        assertThat(TlsMaterial.load(dir, "ec-1").leaf()).as("no ec-1 files: tls.crt").isEqualTo(shared.certificate());
        assertThat(TlsMaterial.parseCertificates(own.certificatePem(), "x")).containsExactly(own.certificate());
    }

    @Test
    void errorsNameTheFileAndTheLayout() throws Exception {
        assertThatThrownBy(() -> TlsMaterial.load(dir)).isInstanceOf(TlsException.class)
                .hasMessageContaining("tls.crt does not exist").hasMessageContaining("cert-manager's layout");
        ca.writeDirectory(dir, ca.issue("a", List.of(), List.of(), List.of(), NOW, Duration.ofDays(1)));
        Files.writeString(dir.resolve(TlsMaterial.KEY_FILE), "not a key\n");
        assertThatThrownBy(() -> TlsMaterial.load(dir)).hasMessageContaining("tls.key holds no PEM block");
    }

    @Test
    void identitiesComeFromSubjectAlternativeNames() {
        X509Certificate byUri = ca.issue("m", List.of(), List.of("10.0.0.1"),
                List.of(CertIdentity.memberUri("ec", "ec-0")), NOW, Duration.ofDays(1)).certificate();
        X509Certificate byDns = ca.issue("m", List.of("ec-1.ec-peers.ns.svc.cluster.local"), List.of(), List.of(), NOW,
                Duration.ofDays(1)).certificate();
        X509Certificate operator = ca.issue("op", List.of(), List.of(), List.of(CertIdentity.OPERATOR_URI), NOW,
                Duration.ofDays(1)).certificate();

        assertThat(CertIdentity.memberMismatch(byUri, "ec", "ec-0", "10.0.0.1")).isNull();
        assertThat(CertIdentity.memberMismatch(byUri, "ec", "ec-1", "10.0.0.2")).contains("does not name member 'ec-1'");
        assertThat(CertIdentity.memberMismatch(byUri, "other", "ec-0", null)).as("another cluster's member").isNotNull();
        assertThat(CertIdentity.memberMismatch(byDns, "ec", "ec-1", "ec-1.ec-peers.ns.svc")).isNull();
        assertThat(CertIdentity.memberMismatch(byDns, "ec", "ec-2", "ec-2.ec-peers.ns.svc")).isNotNull();
        assertThat(CertIdentity.memberMismatch(operator, "ec", "ec-0", null)).contains("operator's certificate");
        assertThat(CertIdentity.isOperator(operator)).isTrue();
        assertThat(CertIdentity.isOperator(byUri)).isFalse();
    }
}
