package dev.ballot.node.transport;

import com.sun.net.httpserver.HttpServer;
import dev.ballot.node.config.TlsSettings;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which cipher suite a member's TLS ends up with (CipherPreference: ChaCha20-Poly1305, the cheaper one on a member's
 * C1-only JVM), on real sockets: the HTTPS API and peer connections choose it even when the client prefers AES-GCM
 * (the JDK's default order), TLS 1.2 clients get its 1.2 form, and a client that offers AES-GCM only still connects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class CipherChoiceTest {
  @TempDir
  static Path dir;
  private SSLContext member;
  private SSLContext client;

  @BeforeAll
  void certificates() throws Exception {
    Instant now = Instant.now().minusSeconds(60);
    CertificateAuthority ca = CertificateAuthority.create("c-ca", now, Duration.ofDays(1));
    ca.writeDirectory(dir.resolve("m"), ca.issue("node-1", List.of(), List.of("127.0.0.1"), List.of(), now, Duration.ofDays(1)));
    ca.writeDirectory(dir.resolve("c"), ca.issue("app", List.of(), List.of(), List.of(), now, Duration.ofDays(1)));
    member = ReloadingTls.open(dir.resolve("m")).context();
    client = ReloadingTls.open(dir.resolve("c")).context();
  }

  /** A JDK client with its default suite order (AES-GCM first), or only {@code suites}, or only {@code protocol}. */
  private String handshake(InetSocketAddress at, String protocol, String... suites) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(at.getAddress(), at.getPort())) {
      if (protocol != null) {
        s.setEnabledProtocols(new String[]{protocol});
      }
      if (suites.length > 0) {
        s.setEnabledCipherSuites(suites);
      }
      assertThat(s.getEnabledCipherSuites()[0]).as("the client's own first choice").doesNotContain("CHACHA20");
      s.startHandshake();
      return s.getSession().getCipherSuite();
    }
  }

  @Test
  void theHttpsApiChoosesChacha() throws Exception {
    NodeTls tls = new NodeTls(ReloadingTls.open(dir.resolve("m")), TlsSettings.ClientAuth.OPTIONAL, "c");
    HttpServer server = dev.ballot.node.http.HttpsServersAccess.create(new InetSocketAddress("127.0.0.1", 0), tls);
    server.start();
    try {
      InetSocketAddress at = server.getAddress();
      assertThat(handshake(at, null)).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
      assertThat(handshake(at, "TLSv1.2")).isEqualTo("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
      assertThat(handshake(at, null, "TLS_AES_128_GCM_SHA256")).isEqualTo("TLS_AES_128_GCM_SHA256");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void peerConnectionsChooseChachaFromEitherEnd() throws Exception {
    PeerTls peer = new PeerTls(member, (id, cert) -> null);
    try (ServerSocket listener = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      InetSocketAddress at = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
      for (boolean memberDials : new boolean[]{true, false}) {
        CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
          try (Socket plain = listener.accept(); SSLSocket s = peer.server(plain)) {
            s.startHandshake();
            s.getOutputStream().write(1); // the dialler reads it: its handshake is complete on both ends
            s.getOutputStream().flush();
            s.getInputStream().read();
            return s.getSession().getCipherSuite();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        String dialled;
        if (memberDials) {
          Socket plain = new Socket(at.getAddress(), at.getPort());
          try (SSLSocket s = new PeerTls(member, (id, cert) -> null).client(plain, "127.0.0.1", at.getPort())) {
            s.startHandshake();
            s.getInputStream().read();
            s.getOutputStream().write(1);
            s.getOutputStream().flush();
            dialled = s.getSession().getCipherSuite();
          }
        } else {
          try (SSLSocket s = (SSLSocket) member.getSocketFactory().createSocket(at.getAddress(), at.getPort())) {
            s.setEnabledProtocols(new String[]{"TLSv1.3"});
            s.startHandshake();
            s.getInputStream().read();
            s.getOutputStream().write(1);
            s.getOutputStream().flush();
            dialled = s.getSession().getCipherSuite();
          }
        }
        assertThat(accepted.get(30, TimeUnit.SECONDS)).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        assertThat(dialled).as("member dials: %s", memberDials).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
      }
    }
  }
}
