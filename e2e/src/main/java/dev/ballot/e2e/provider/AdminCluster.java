package dev.ballot.e2e.provider;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;

/**
 * What every provider's cluster holds the same way: the cluster-admin kubeconfig the user's kubectl runs with,
 * and the fabric8 client built from it that the harness observes through (closed by the subclass's close).
 */
public abstract class AdminCluster implements Cluster {
  private final Path kubeconfig;
  private final KubernetesClient admin;

  AdminCluster(Path kubeconfig, KubernetesClient admin) {
    this.kubeconfig = kubeconfig;
    this.admin = admin;
  }

  /** A client with the rights the kubeconfig's current context grants. */
  static KubernetesClient client(String kubeconfigYaml) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml)).build();
  }

  @Override
  public final Path adminKubeconfig() {
    return kubeconfig;
  }

  @Override
  public final KubernetesClient admin() {
    return admin;
  }
}
