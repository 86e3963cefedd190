package dev.ballot.examples;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * etcd and kube-apiserver on loopback, from the binaries e2e/controlplane/build.sh caches
 * (~/.cache/ballot/k8s-<version>/bin, or BALLOT_K8S_BIN), with an admin token and RBAC on: enough to apply
 * deploy/ and the examples and to have the CRD's schema and CEL rules judged by the real API server.
 */
final class LocalApiServer implements AutoCloseable {

  private final Path dir;
  private final Path kubectl;
  private final List<Process> processes = new ArrayList<>();
  final Path kubeconfig;

  private LocalApiServer(Path dir, Path kubectl) {
    this.dir = dir;
    this.kubectl = kubectl;
    this.kubeconfig = dir.resolve("kubeconfig");
  }

  /** The folder holding etcd and kube-apiserver, if this machine has them. */
  static Optional<Path> binaries() {
    String configured = System.getenv("BALLOT_K8S_BIN");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(LocalApiServer::hasBinaries);
    }
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "ballot");
    if (!Files.isDirectory(cache)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(cache)) {
      return versions.filter(p -> p.getFileName().toString().startsWith("k8s-")).map(p -> p.resolve("bin"))
          .filter(LocalApiServer::hasBinaries).sorted().reduce((a, b) -> b);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean hasBinaries(Path bin) {
    return Files.isExecutable(bin.resolve("etcd")) && Files.isExecutable(bin.resolve("kube-apiserver"));
  }

  static LocalApiServer start(Path bin, Path kubectl) throws IOException {
    Path dir = Files.createTempDirectory("ballot-apiserver");
    LocalApiServer server = new LocalApiServer(dir, kubectl);
    try {
      server.launch(bin);
      return server;
    } catch (RuntimeException | IOException e) {
      server.close();
      throw e;
    }
  }

  private void launch(Path bin) throws IOException {
    int etcdClient = freePort();
    int etcdPeer = freePort();
    int apiPort = freePort();
    Path pki = Files.createDirectories(dir.resolve("pki"));
    writeServiceAccountKeys(pki);
    Files.writeString(dir.resolve("tokens.csv"), "admintoken,admin,admin,\"system:masters\"\n");
    String etcdUrl = "http://127.0.0.1:" + etcdClient;
    spawn("etcd", List.of(bin.resolve("etcd").toString(), "--name", "ballot-examples", "--data-dir", dir.resolve("etcd").toString(),
        "--listen-client-urls", etcdUrl, "--advertise-client-urls", etcdUrl,
        "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer,
        "--initial-cluster", "ballot-examples=http://127.0.0.1:" + etcdPeer, "--unsafe-no-fsync", "--log-level", "warn"));
    spawn("kube-apiserver", List.of(bin.resolve("kube-apiserver").toString(), "--etcd-servers", etcdUrl,
        "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", Integer.toString(apiPort),
        "--endpoint-reconciler-type", "none", "--cert-dir", pki.toString(),
        "--token-auth-file", dir.resolve("tokens.csv").toString(), "--authorization-mode", "RBAC",
        "--service-account-key-file", pki.resolve("sa.pub").toString(),
        "--service-account-signing-key-file", pki.resolve("sa.key").toString(),
        "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
        "--api-audiences", "https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range", "10.0.0.0/24", "--profiling=false"));
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: local, cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}}]
        users: [{name: admin, user: {token: admintoken}}]
        contexts: [{name: local, context: {cluster: local, user: admin}}]
        current-context: local
        """.formatted(apiPort));
    await("kube-apiserver /readyz (log: " + dir.resolve("kube-apiserver.log") + ")")
        .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          processes.forEach(p -> {
            if (!p.isAlive()) {
              throw new IllegalStateException(p.info().command().orElse("a control-plane process") + " exited " + p.exitValue()
                  + "; logs in " + dir);
            }
          });
          return kubectl("get", "--raw", "/readyz").exitCode() == 0;
        });
  }

  Tools.Run kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  Tools.Run kubectlWithInput(String stdin, String... args) {
    List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, RepoFiles.ROOT, 120, stdin);
  }

  private void spawn(String name, List<String> command) throws IOException {
    processes.add(new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start());
  }

  private static void writeServiceAccountKeys(Path pki) throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair pair = generator.generateKeyPair();
      Files.writeString(pki.resolve("sa.key"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      Files.writeString(pki.resolve("sa.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    RenderedManifests.deleteTree(dir);
  }
}
