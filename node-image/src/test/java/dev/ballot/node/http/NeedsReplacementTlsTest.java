package dev.ballot.node.http;

import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A member that must be replaced serves its status over HTTPS when the node has TLS, as the running node does: the
 * kubelet's HTTPS probes get their answers without a certificate (so the pod is not restarted in a loop), the
 * operator's certificate reads needsReplacement, and the status is refused to a caller without a certificate.
 */
@Timeout(60)
class NeedsReplacementTlsTest {
  @TempDir
  Path dir;

  @Test
  void servesHttpsWithTheMembersCertificate() throws Exception {
    Instant now = Instant.now().minusSeconds(60);
    CertificateAuthority ca = CertificateAuthority.create("ec-ca", now, Duration.ofDays(1));
    ca.writeDirectory(dir.resolve("member"), ca.issue("ec-1", List.of(), List.of("127.0.0.1"),
        List.of("ballot://ec/members/ec-1"), now, Duration.ofDays(1)));
    ca.writeDirectory(dir.resolve("operator"), ca.issue("op", List.of(), List.of(), List.of("ballot://operator"), now,
        Duration.ofDays(1)));
    int port;
    int metricsPort;
    try (ServerSocket s = new ServerSocket(0); ServerSocket m = new ServerSocket(0)) {
      port = s.getLocalPort();
      metricsPort = m.getLocalPort();
    }
    String yaml = """
        raft:
          cluster_id: "ec"
          listen_address: "127.0.0.1:2380"
          peers:
            - "127.0.0.1:2380"
            - "127.0.0.2:2380"
            - "127.0.0.3:2380"
        """;
    NodeConfig config = ConfigLoader.parse("ballot.yaml", yaml, Map.of("BALLOT_NODE_ID", "1",
        "BALLOT_CLIENT_ADDRESS", "127.0.0.1:" + port, "BALLOT_DATA_DIR", dir.resolve("data").toString(),
        "BALLOT_TLS_DIR", dir.resolve("member").toString(), "HOME", dir.toString(),
        "BALLOT_METRICS_ADDRESS", "127.0.0.1:" + metricsPort));
    assertThat(config.tls()).isNotNull();
    try (NeedsReplacementApi api = new NeedsReplacementApi(config, "its storage is empty").start()) {
      String base = "https://127.0.0.1:" + port;
      HttpClient probe = client(anonymousContext(dir.resolve("member/ca.crt")));
      HttpClient operator = client(ReloadingTls.open(dir.resolve("operator")).context());

      HttpResponse<String> healthz = get(probe, base + "/healthz");
      assertThat(healthz.statusCode()).isEqualTo(200);
      assertThat(get(probe, base + "/readyz").statusCode()).isEqualTo(503);
      assertThat(get(probe, base + "/metrics").body()).contains("ballot_needs_replacement 1");
      HttpResponse<String> anonymous = get(probe, base + "/v1/status");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body()).contains("unauthenticated");
      HttpResponse<String> status = get(operator, base + "/v1/status");
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(status.body()).contains("\"needsReplacement\":true").contains("its storage is empty");

      // The plain metrics port shows it too (alerts fire whatever the TLS), and nothing else.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> metrics = get(plain, "http://127.0.0.1:" + metricsPort + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("ballot_needs_replacement 1");
      assertThat(get(plain, "http://127.0.0.1:" + metricsPort + "/v1/status").statusCode()).isEqualTo(404);
    }
  }

  private static HttpClient client(SSLContext context) {
    SSLParameters p = new SSLParameters();
    p.setEndpointIdentificationAlgorithm(null);
    return HttpClient.newBuilder().sslContext(context).sslParameters(p).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Trusts the cluster's CA and presents no certificate, as the kubelet's probes do. */
  private static SSLContext anonymousContext(Path caFile) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(caFile)) {
      trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(null, tmf.getTrustManagers(), null);
    return c;
  }

  private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
