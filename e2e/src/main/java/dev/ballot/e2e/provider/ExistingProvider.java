package dev.ballot.e2e.provider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Any cluster KUBECONFIG points at. The operator runs in the cluster from deploy/ (its image must be
 * pullable there), unless BALLOT_E2E_OPERATOR=external says someone already runs it (a sandbox).
 */
public final class ExistingProvider implements ClusterProvider {
  @Override
  public String name() {
    return "existing";
  }

  @Override
  public Optional<String> unavailableReason() {
    String kc = System.getenv("KUBECONFIG");
    if (kc == null || kc.isEmpty()) {
      return Optional.of("KUBECONFIG is not set; point it at the cluster to test (e.g. the sandbox's admin.kubeconfig)");
    }
    if (!Files.isRegularFile(Path.of(kc.split(":")[0]))) {
      return Optional.of("KUBECONFIG=" + kc + " names no file");
    }
    return Optional.empty();
  }

  @Override
  public Cluster start() throws Exception {
    Path kc = Path.of(System.getenv("KUBECONFIG").split(":")[0]);
    Cluster.OperatorMode mode = "external".equals(System.getenv("BALLOT_E2E_OPERATOR"))
        ? Cluster.OperatorMode.EXTERNAL : Cluster.OperatorMode.IN_CLUSTER;
    return new KubeconfigCluster(kc, Files.readString(kc), mode, () -> { });
  }
}
