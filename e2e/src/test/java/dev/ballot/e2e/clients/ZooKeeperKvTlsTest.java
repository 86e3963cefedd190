package dev.ballot.e2e.clients;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The journey's ZooKeeper writer on a TLS cluster's port, against a real ZooKeeper 3.9.4 server that serves only a
 * secureClientPort and requires client certificates (as Ballot's ZAB members on TLS clusters do, port 2281). The
 * server's certificate names a DNS name only, and the client reaches it by address, as the journey reaches pods:
 * the chain is checked, the host name is not. A certificate from another CA gets no session.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ZooKeeperKvTlsTest {
  @TempDir
  static Path dir;
  private ZooKeeperServerEmbedded server;
  private InetSocketAddress secure;
  private CertificateAuthority ca;

  @BeforeAll
  void start() throws Exception {
    Instant now = Instant.now().minusSeconds(60);
    ca = CertificateAuthority.create("test-ca", now, Duration.ofDays(1));
    Path serverDir = dir.resolve("server");
    ca.writeDirectory(serverDir, ca.issue("zk-0", List.of("zk-0.zk-peers.test.svc"), List.of(), List.of(), now,
        Duration.ofDays(1)));
    java.nio.file.Files.writeString(serverDir.resolve("keystore.pem"),
        java.nio.file.Files.readString(serverDir.resolve("tls.key")) + java.nio.file.Files.readString(serverDir.resolve("tls.crt")));
    java.nio.file.Files.createDirectories(dir.resolve("data"));
    int port = freePort();
    Properties cfg = new Properties();
    cfg.setProperty("tickTime", "500");
    cfg.setProperty("secureClientPort", Integer.toString(port));
    cfg.setProperty("secureClientPortAddress", "127.0.0.1");
    cfg.setProperty("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
    cfg.setProperty("ssl.keyStore.location", serverDir.resolve("keystore.pem").toString());
    cfg.setProperty("ssl.keyStore.type", "PEM");
    cfg.setProperty("ssl.trustStore.location", serverDir.resolve("ca.crt").toString());
    cfg.setProperty("ssl.trustStore.type", "PEM");
    cfg.setProperty("ssl.clientAuth", "need");
    cfg.setProperty("admin.enableServer", "false");
    server = ZooKeeperServerEmbedded.builder().baseDir(dir.resolve("data")).configuration(cfg)
        .exitHandler(ExitHandler.LOG_ONLY).build();
    server.start(30_000);
    secure = new InetSocketAddress("127.0.0.1", port);
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void writesAndReadsBackOverTlsWithTheClusterCertificate() throws Exception {
    Path client = dir.resolve("client");
    ca.writeDirectory(client, ca.issue("journey", List.of(), List.of(), List.of(), Instant.now().minusSeconds(60),
        Duration.ofDays(1)));
    try (ClientKv kv = ClientKv.forProtocolTls("Zab", client, a -> "unused")) {
      kv.put(secure, "k1", "v1");
      assertThat(kv.get(secure, "k1")).contains("v1");
      assertThat(kv.get(secure, "absent")).isEmpty();
    }
  }

  @Test
  void prepareOpensTheSessionBeforeAnyCallAndTheFirstPutUsesIt() throws Exception {
    Path client = dir.resolve("prepared");
    ca.writeDirectory(client, ca.issue("journey", List.of(), List.of(), List.of(), Instant.now().minusSeconds(60),
        Duration.ofDays(1)));
    try (ZooKeeperKv kv = (ZooKeeperKv) ClientKv.forProtocolTls("Zab", client, a -> "unused")) {
      assertThat(kv.hasSession(secure)).isFalse();
      kv.prepare(List.of(secure));
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kv.hasSession(secure));
      kv.put(secure, "k3", "v3");
      assertThat(kv.get(secure, "k3")).contains("v3");
    }
  }

  @Test
  void aClientOfAnotherCaGetsNoSession() throws Exception {
    Instant now = Instant.now().minusSeconds(60);
    CertificateAuthority other = CertificateAuthority.create("other-ca", now, Duration.ofDays(1));
    Path client = dir.resolve("other");
    other.writeDirectory(client, other.issue("intruder", List.of(), List.of(), List.of(), now, Duration.ofDays(1)));
    try (ClientKv kv = ClientKv.forProtocolTls("Zab", client, a -> "unused")) {
      assertThatThrownBy(() -> kv.put(secure, "k2", "v2")).isInstanceOf(IOException.class)
          .hasMessageContaining("no session");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
