package dev.ballot.e2e.provider;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/** A running cluster the journey drives with kubectl (as a user) and fabric8 (to observe). */
public interface Cluster extends AutoCloseable {
  /** kubeconfig with cluster-admin rights, for the user's kubectl. */
  Path adminKubeconfig();

  KubernetesClient admin();

  /**
   * Where the operator runs: its Deployment in the cluster, a local process the harness starts, or
   * somewhere the harness does not manage (a sandbox already runs one; its Deployment stays at 0).
   */
  enum OperatorMode { IN_CLUSTER, LOCAL_PROCESS, EXTERNAL }

  OperatorMode operatorMode();

  /**
   * Starts the operator as a local process with the given kubeconfig (its ServiceAccount's), when
   * {@link #operatorMode()} is LOCAL_PROCESS. Returns the process handle, stopped on close.
   */
  default Process startOperator(Path operatorKubeconfig, Map<String, String> env) throws Exception {
    throw new UnsupportedOperationException("the operator runs in the cluster on this provider");
  }

  /**
   * An address of this machine the operator reaches, for a server the harness starts for it (the S3 server of
   * spec.backup): loopback where the operator is a local process.
   */
  default String hostAddressForOperator() {
    return "127.0.0.1";
  }

  /** An address on this machine where the pod's port answers (the pod IP, or a port-forward). */
  InetSocketAddress reach(Pod pod, int port) throws Exception;

  /** The run's state dir (logs of every component), where the provider keeps one. */
  default java.util.Optional<Path> stateDir() {
    return java.util.Optional.empty();
  }

  /** Whether a pod with this node image runs here (the rolling update changes the image where it does). */
  default boolean runsNodeImage(String image) {
    return false;
  }

  /** Kills the pod's main process with SIGKILL, as a crash would (or the nearest the provider can do). */
  String crash(Pod pod) throws Exception;

  /** Where the operator process started by {@link #startOperator} serves /q/metrics (empty if none runs here). */
  default java.util.Optional<InetSocketAddress> localOperatorMetrics() {
    return java.util.Optional.empty();
  }

  /** The log file of the operator process started by {@link #startOperator} (empty if none runs here). */
  default java.util.Optional<java.nio.file.Path> localOperatorLog() {
    return java.util.Optional.empty();
  }

  /**
   * The API server's audit log of the ElectionClusters' status writes (e2e/controlplane/start.sh), where this
   * provider started the API server: when a status was stored, to the microsecond.
   */
  default java.util.Optional<Path> statusAuditLog() {
    return java.util.Optional.empty();
  }

  /** Whether {@link #freeze} works here: scenarios that stop members for a while (quorum loss) need it. */
  default boolean canFreeze() {
    return false;
  }

  /**
   * Stops (SIGSTOP) or resumes (SIGCONT) the pod's main process: it keeps its sockets and its pod but answers
   * nothing, as a hung machine; its liveness probe restarts it after its failure threshold. Returns what was done.
   */
  default String freeze(Pod pod, boolean frozen) throws Exception {
    throw new UnsupportedOperationException("this provider cannot freeze a pod's process");
  }

  @Override
  void close();
}
