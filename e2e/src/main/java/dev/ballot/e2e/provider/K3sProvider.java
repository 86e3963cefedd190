package dev.ballot.e2e.provider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * k3s in a container (Testcontainers) with the node and operator image tarballs imported into its
 * containerd, so the operator runs in-cluster from deploy/. Needs a Docker engine.
 */
public final class K3sProvider implements ClusterProvider {
  static final String IMAGE = Optional.ofNullable(System.getenv("BALLOT_K3S_IMAGE")).orElse("rancher/k3s:v1.34.4-k3s1");
  private final Path repo;

  public K3sProvider(Path repo) {
    this.repo = repo;
  }

  @Override
  public String name() {
    return "k3s";
  }

  @Override
  public Optional<String> unavailableReason() {
    try {
      if (!DockerClientFactory.instance().isDockerAvailable()) {
        return Optional.of("no Docker engine reachable (Testcontainers found none); k3s needs one. "
            + "Use --provider local here, or run where Docker runs");
      }
    } catch (RuntimeException | LinkageError e) {
      return Optional.of("no Docker engine reachable: " + e.getMessage());
    }
    for (Path tar : imageTarballs()) {
      if (!Files.isRegularFile(tar)) {
        return Optional.of("image tarball " + tar + " is missing; build the node image with "
            + "`mvn -B -pl node-image -am -Pimage package -DskipTests` and the operator's (BALLOT_OPERATOR_IMAGE_TAR)");
      }
    }
    return Optional.empty();
  }

  List<Path> imageTarballs() {
    // node: `mvn -pl node-image -am -Pimage package`; operator: its image tarball, wherever its build puts it
    return List.of(repo.resolve("node-image/target/ballot-node-image.tar"),
        Path.of(Optional.ofNullable(System.getenv("BALLOT_OPERATOR_IMAGE_TAR"))
            .orElse(repo.resolve("operator/target/ballot-operator-image.tar").toString())));
  }

  @Override
  public Cluster start() throws Exception {
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(IMAGE));
    k3s.start();
    for (Path tar : imageTarballs()) {
      String inside = "/tmp/" + tar.getParent().getParent().getFileName() + ".tar";
      k3s.copyFileToContainer(MountableFile.forHostPath(tar), inside);
      var res = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", inside);
      if (res.getExitCode() != 0) {
        throw new IllegalStateException("importing " + tar + " into k3s failed: " + res.getStderr());
      }
    }
    Path kc = Files.createTempFile("ballot-k3s-", ".kubeconfig");
    Files.writeString(kc, k3s.getKubeConfigYaml());
    return new KubeconfigCluster(kc, k3s.getKubeConfigYaml(), Cluster.OperatorMode.IN_CLUSTER, () -> {
      k3s.stop();
      kc.toFile().delete();
    });
  }
}
