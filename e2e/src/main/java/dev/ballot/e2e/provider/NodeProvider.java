package dev.ballot.e2e.provider;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes node on this machine (e2e/node/start.sh): the local control plane plus kubelet, kube-proxy,
 * containerd with runc and CNI, CoreDNS and local-path-provisioner. Pods are real containers of the images the
 * build made, on a bridge the host routes to; the operator runs in the cluster from its image when that image
 * was built, else as a local process (with a hosts file standing in for cluster DNS).
 */
public final class NodeProvider implements ClusterProvider {
  /**
   * A second tag of the built node image, so that an upgrade to it changes the pods' image for real (the rolling
   * update's target). The images' own names are the build's (ballot.dev/ballot/node:&lt;version&gt;).
   */
  public static final String NEXT_NODE_IMAGE = "ballot.dev/ballot/node:0.1.1";
  private final Path repo;

  public NodeProvider(Path repo) {
    this.repo = repo;
  }

  @Override
  public String name() {
    return "node";
  }

  @Override
  public Optional<String> unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return Optional.of("the real node needs root (it creates a bridge, mounts and cgroups); run as root or use --provider local");
    }
    for (String tool : List.of("containerd", "ctr", "runc", "openssl", "python3", "iptables")) {
      if (!LocalProvider.onPath(tool)) {
        return Optional.of("'" + tool + "' is not on PATH; .ci/run installs it (apt-get install containerd runc containernetworking-plugins)");
      }
    }
    if (!Files.isExecutable(Path.of("/usr/lib/cni/bridge"))) {
      return Optional.of("no CNI plugins in /usr/lib/cni (apt-get install containernetworking-plugins)");
    }
    if (!Files.isRegularFile(nodeImage())) {
      return Optional.of("no node image at " + nodeImage() + "; build it with `mvn -pl node-image -am package -Pimage`");
    }
    return Optional.empty();
  }

  Path nodeImage() {
    return Optional.ofNullable(System.getenv("BALLOT_NODE_IMAGE_TAR")).map(Path::of)
        .orElse(repo.resolve("node-image/target/ballot-node-image.tar"));
  }

  /** The operator's image archive when the build made one (BALLOT_OPERATOR_IMAGE_TAR overrides). */
  Optional<Path> operatorImage() {
    String given = System.getenv("BALLOT_OPERATOR_IMAGE_TAR");
    if (given != null && !given.isEmpty()) {
      return Optional.of(Path.of(given));
    }
    try (var files = Files.list(repo.resolve("operator/target"))) {
      return files.filter(p -> p.getFileName().toString().matches("ballot-operator.*\\.tar")).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public NodeCluster start() throws Exception {
    String given = System.getenv("BALLOT_E2E_STATE");
    Path state = given != null && !given.isEmpty() ? Path.of(given) : Files.createTempDirectory("ballot-e2e-");
    Path nodeDir = state.resolve("node");
    Optional<Path> operatorImage = "process".equals(System.getenv("BALLOT_E2E_OPERATOR")) ? Optional.empty() : operatorImage();
    List<String> images = new ArrayList<>();
    images.add(nodeImage() + "=" + NEXT_NODE_IMAGE);
    operatorImage.ifPresent(p -> images.add(p.toString()));
    long t0 = System.nanoTime();
    ProcessBuilder pb = new ProcessBuilder(repo.resolve("e2e/node/start.sh").toString(), nodeDir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().put("BALLOT_NODE_IMAGES", String.join(" ", images));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("e2e/node/start.sh failed (exit " + p.exitValue() + "); logs in " + nodeDir.resolve("logs"));
    }
    long upMs = (System.nanoTime() - t0) / 1_000_000;
    Map<String, String> env = readEnv(nodeDir.resolve("node.env"));
    NodeCluster cluster = new NodeCluster(repo, state, nodeDir, env, upMs, operatorImage.isPresent(), given == null);
    try {
      cluster.startHostsFileIfNeeded();
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  static Map<String, String> readEnv(Path file) throws IOException {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  static void stopNode(Path repo, Path nodeDir) {
    try {
      new ProcessBuilder(repo.resolve("e2e/node/stop.sh").toString(), nodeDir.toString()).inheritIO().start()
          .waitFor(120, TimeUnit.SECONDS);
    } catch (IOException e) {
      System.err.println("stopping the node failed: " + e.getMessage() + "; run e2e/node/stop.sh " + nodeDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
