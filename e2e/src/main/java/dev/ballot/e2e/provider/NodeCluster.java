package dev.ballot.e2e.provider;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running real node (e2e/node/start.sh). Pods have addresses on the node's bridge, which the host routes
 * to, so the harness reaches them directly; a crash is SIGKILL to the container's task through containerd,
 * after which the kubelet restarts the container as it would after any crash.
 */
public final class NodeCluster extends AdminCluster {
  private final Path repo;
  private final Path state;
  private final Path nodeDir;
  private final Map<String, String> env;
  private final long upMs;
  private final boolean operatorInCluster;
  private final boolean purge;
  private final OperatorProcesses operators;
  private final AtomicBoolean closed = new AtomicBoolean();
  private ClusterHostsFile hostsFile;

  NodeCluster(Path repo, Path state, Path nodeDir, Map<String, String> env, long upMs, boolean operatorInCluster,
              boolean purge) throws IOException {
    super(Path.of(env.get("KUBECONFIG")), client(Files.readString(Path.of(env.get("KUBECONFIG")))));
    this.repo = repo;
    this.state = state;
    this.nodeDir = nodeDir;
    this.env = env;
    this.upMs = upMs;
    this.operatorInCluster = operatorInCluster;
    this.purge = purge;
    this.operators = new OperatorProcesses(repo, state, () -> hostsFile.file());
  }

  void startHostsFileIfNeeded() throws IOException {
    if (!operatorInCluster) {
      hostsFile = new ClusterHostsFile(admin(), state.resolve("hosts")).start();
    }
  }

  /** What start.sh measured, for the run's first line: total, control plane, containerd + images, kubelet to Ready. */
  public String timings() {
    return "node_up_ms=" + upMs + " controlplane_start_ms=" + env.getOrDefault("CONTROLPLANE_MS", "?")
        + " containerd_images_ms=" + env.getOrDefault("CONTAINERD_MS", "?")
        + " node_ready_ms=" + env.getOrDefault("KUBELET_MS", "?") + " bridge=" + env.get("BRIDGE");
  }

  @Override
  public Optional<Path> stateDir() {
    return Optional.of(state);
  }

  @Override
  public Optional<Path> statusAuditLog() {
    return Optional.of(nodeDir.resolve("controlplane/logs/audit.log"));
  }

  @Override
  public boolean runsNodeImage(String image) {
    List<String> imported = List.of(env.getOrDefault("IMAGES", "").split(" "));
    return imported.contains(image) || imported.contains("docker.io/" + image);
  }

  /** The operator's pod reaches this machine at the node bridge's own address (the pods' gateway). */
  @Override
  public String hostAddressForOperator() {
    return operatorInCluster ? env.get("GATEWAY") : "127.0.0.1";
  }

  @Override
  public OperatorMode operatorMode() {
    return operatorInCluster ? OperatorMode.IN_CLUSTER : OperatorMode.LOCAL_PROCESS;
  }

  @Override
  public Process startOperator(Path operatorKubeconfig, Map<String, String> extraEnv) throws IOException {
    return operators.start(operatorKubeconfig, extraEnv);
  }

  @Override
  public InetSocketAddress reach(Pod pod, int port) {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip == null || ip.isEmpty()) {
      throw new IllegalStateException("pod " + pod.getMetadata().getName() + " has no address yet");
    }
    return new InetSocketAddress(ip, port);
  }

  /** SIGKILL to the pod's first container through containerd: the process dies as in a crash, the pod stays. */
  @Override
  public String crash(Pod pod) throws Exception {
    String id = containerId(pod).orElseThrow(() -> new IllegalStateException(
        "pod " + pod.getMetadata().getName() + " has no running container to kill"));
    List<String> cmd = List.of("ctr", "--address", env.get("CONTAINERD_ADDRESS"), "-n", "k8s.io",
        "tasks", "kill", "-s", "SIGKILL", id);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("ctr tasks kill " + id + " failed: " + out);
    }
    return "SIGKILL container " + id.substring(0, 12) + " (ctr tasks kill)";
  }

  static Optional<String> containerId(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty() || statuses.get(0).getContainerID() == null) {
      return Optional.empty();
    }
    String id = statuses.get(0).getContainerID();
    int sep = id.indexOf("://");
    return Optional.of(sep < 0 ? id : id.substring(sep + 3));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    operators.stopAll();
    if (hostsFile != null) {
      hostsFile.close();
    }
    admin().close();
    NodeProvider.stopNode(repo, nodeDir);
    OperatorProcess.purgeStateDir(state, purge);
  }
}
