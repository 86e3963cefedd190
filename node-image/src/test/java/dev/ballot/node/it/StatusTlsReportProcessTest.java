package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.StatusReport;
import dev.ballot.nodeapi.TlsReport;
import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.Fingerprints;
import dev.ballot.nodeapi.tls.TlsMaterial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real TLS member's {@code /v1/status} {@code tls} object follows its files as the operator's CA rotation needs it
 * to: a new CA added to {@code ca.crt} shows in {@code trustedCaSha256}, then a certificate from that CA shows as
 * {@code certificateSha256} with the new CA as {@code issuerSha256}, without a restart.
 */
class StatusTlsReportProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(120)
    void theStatusTlsObjectFollowsAReloadOfTheMembersFiles() throws Exception {
        System.out.println("StatusTlsReportProcessTest: node log in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, DemoTiming.SEED, work, NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Optional");
            cluster.start(1, java.util.Map.of());
            await("node ready (log " + cluster.node(1).log() + ")").atMost(Duration.ofSeconds(60))
                    .until(() -> cluster.ready(1));
            Path member = tls.member(1);
            String oldCa = Fingerprints.sha256(tls.ca().certificate());
            TlsReport first = cluster.statusWithin(1, Duration.ofSeconds(10)).tls();
            assertThat(first).as("a TLS member reports its material").isNotNull();
            assertThat(first.certificateSha256()).isEqualTo(Fingerprints.sha256(leaf(member)));
            assertThat(first.issuerSha256()).isEqualTo(oldCa);
            assertThat(first.trustedCaSha256()).containsExactly(oldCa);

            // step 1 of a rotation: the new CA joins the bundles (the operator's identity's too), nothing it signed yet
            CertificateAuthority next = CertificateAuthority.create("rotated-ca", Instant.now().minusSeconds(60),
                    Duration.ofDays(1));
            String bundle = CertificateAuthority.pem(tls.ca().certificate()) + CertificateAuthority.pem(next.certificate());
            replace(tls.operator().resolve(TlsMaterial.CA_FILE), bundle);
            replace(member.resolve(TlsMaterial.CA_FILE), bundle);
            String nextSha = Fingerprints.sha256(next.certificate());
            TlsReport trusting = await("the new CA trusted").atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.status(1).map(StatusReport::tls).orElse(null),
                            t -> t != null && t.trusts(nextSha));
            assertThat(trusting.trustedCaSha256()).containsExactly(oldCa, nextSha);
            assertThat(trusting.certificateSha256()).as("same certificate").isEqualTo(first.certificateSha256());

            // step 2: a certificate from the new CA
            Instant now = Instant.now().minusSeconds(60);
            next.writeDirectory(member, next.issue("node-1", List.of(), List.of(cluster.node(1).host()),
                    List.of(CertIdentity.memberUri(cluster.clusterId(), "node-1")), now, Duration.ofDays(1)));
            TlsReport signed = await("the new certificate presented").atMost(Duration.ofSeconds(20))
                    .until(() -> cluster.status(1).map(StatusReport::tls).orElse(null),
                            t -> t != null && nextSha.equals(t.issuerSha256()));
            assertThat(signed.certificateSha256()).isEqualTo(Fingerprints.sha256(leaf(member)))
                    .isNotEqualTo(first.certificateSha256());
            assertThat(signed.trustedCaSha256()).containsExactly(nextSha);
            System.out.println("StatusTlsReportProcessTest: tls followed both reloads: " + signed);
        }
    }

    private static java.security.cert.X509Certificate leaf(Path dir) throws Exception {
        return TlsMaterial.parseCertificates(Files.readString(dir.resolve(TlsMaterial.CERT_FILE)), "leaf").get(0);
    }

    /** Atomically, as the kubelet swaps a mounted Secret. */
    private static void replace(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
