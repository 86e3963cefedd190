package dev.ballot.e2e.provider;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A cluster reached only through a kubeconfig, whose pods run somewhere the harness does not manage
 * (a real or containerised cluster): pods are reached and crashed through the API ({@link PodAccess}).
 */
final class KubeconfigCluster extends AdminCluster {
  private final OperatorMode operatorMode;
  private final Runnable afterClose;
  private final PodAccess access;

  KubeconfigCluster(Path kubeconfig, String kubeconfigYaml, OperatorMode operatorMode, Runnable afterClose) {
    super(kubeconfig, client(kubeconfigYaml));
    this.operatorMode = operatorMode;
    this.afterClose = afterClose;
    this.access = new PodAccess(admin());
  }

  @Override
  public OperatorMode operatorMode() {
    return operatorMode;
  }

  @Override
  public InetSocketAddress reach(Pod pod, int port) throws Exception {
    return access.reach(pod, port);
  }

  @Override
  public String crash(Pod pod) {
    return access.crash(pod);
  }

  @Override
  public void close() {
    access.close();
    admin().close();
    afterClose.run();
  }
}
