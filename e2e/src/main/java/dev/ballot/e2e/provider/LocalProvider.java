package dev.ballot.e2e.provider;

import dev.ballot.e2e.kubelet.ContainerLaunch;
import dev.ballot.e2e.kubelet.ProcessKubelet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler built from
 * source by e2e/controlplane/build.sh) plus the process kubelet in this JVM. Pods are local processes;
 * the operator is a local process with its ServiceAccount's kubeconfig.
 */
public final class LocalProvider implements ClusterProvider {
  public static final String K8S_VERSION = Optional.ofNullable(System.getenv("BALLOT_K8S_VERSION")).orElse("v1.34.4");
  public static final Pattern NODE_IMAGE = Pattern.compile(
      Optional.ofNullable(System.getenv("BALLOT_NODE_IMAGE_PATTERN")).orElse("(.*/)?ballot[-/]node(:.*)?"));
  private final Path repo;

  public LocalProvider(Path repo) {
    this.repo = repo;
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Optional<String> unavailableReason() {
    for (String tool : List.of("openssl", "kubectl", "python3")) {
      if (!onPath(tool)) {
        return Optional.of("'" + tool + "' is not on PATH; the local control plane needs it");
      }
    }
    Path cached = Path.of(System.getProperty("user.home"), ".cache/ballot/k8s-" + K8S_VERSION, "bin", "kube-apiserver");
    if (!Files.isExecutable(cached) && !onPath("go")) {
      return Optional.of("no cached control plane at " + cached.getParent() + " and no 'go' to build one");
    }
    return Optional.empty();
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public LocalCluster start() throws Exception {
    String given = System.getenv("BALLOT_E2E_STATE");
    Path state = given != null && !given.isEmpty() ? Path.of(given) : Files.createTempDirectory("ballot-e2e-");
    Files.createDirectories(state);
    long t0 = System.nanoTime();
    Path cpDir = state.resolve("controlplane");
    Process p = new ProcessBuilder(repo.resolve("e2e/controlplane/start.sh").toString(), cpDir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("e2e/controlplane/start.sh failed (exit " + p.exitValue() + "); logs in " + cpDir.resolve("logs"));
    }
    long controlPlaneMs = (System.nanoTime() - t0) / 1_000_000;
    try {
      return startKubelet(state, cpDir, controlPlaneMs, given == null);
    } catch (Exception | Error e) {
      stopControlPlane(repo, cpDir);
      throw e;
    }
  }

  static void stopControlPlane(Path repo, Path cpDir) {
    try {
      new ProcessBuilder(repo.resolve("e2e/controlplane/stop.sh").toString(), cpDir.toString()).inheritIO().start()
          .waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      System.err.println("stopping the control plane failed: " + e.getMessage() + "; run e2e/controlplane/stop.sh " + cpDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private LocalCluster startKubelet(Path state, Path cpDir, long controlPlaneMs, boolean purge) throws IOException {
    Path kubeconfig = cpDir.resolve("admin.kubeconfig");
    KubernetesClient admin = AdminCluster.client(Files.readString(kubeconfig));
    List<String> nodes = new ArrayList<>();
    int count = Integer.parseInt(Optional.ofNullable(System.getenv("BALLOT_E2E_NODES")).orElse("3"));
    for (int i = 1; i <= count; i++) {
      nodes.add("local-" + i);
    }
    Path kubeletDir = state.resolve("kubelet");
    List<String> jvm = new ArrayList<>(ProcessKubelet.dnsJvmOptions(kubeletDir.resolve("hosts")));
    jvm.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m"));
    ContainerLaunch.ImageMap images = new ContainerLaunch.ImageMap(NODE_IMAGE,
        repo.resolve("node-image/target/ballot-node.jar"), ProcessHandle.current().info().command().orElse("java"), jvm);
    ProcessKubelet kubelet = new ProcessKubelet(admin,
        new ProcessKubelet.Options(kubeletDir, nodes, images, "cluster.local", K8S_VERSION));
    long t1 = System.nanoTime();
    kubelet.start();
    System.err.printf("local: control plane %d ms, process kubelet %d ms (nodes %s)%n", controlPlaneMs,
        (System.nanoTime() - t1) / 1_000_000, nodes);
    return new LocalCluster(repo, state, cpDir, kubeconfig, admin, kubelet, controlPlaneMs, purge);
  }

  /** The running local cluster. */
  public static final class LocalCluster extends AdminCluster {
    private final Path repo;
    private final Path state;
    private final Path cpDir;
    private final ProcessKubelet kubelet;
    private final PodAccess access;
    private final long controlPlaneStartMs;
    private final boolean purge;
    private final OperatorProcesses operators;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    LocalCluster(Path repo, Path state, Path cpDir, Path kubeconfig, KubernetesClient admin, ProcessKubelet kubelet,
                 long controlPlaneStartMs, boolean purge) {
      super(kubeconfig, admin);
      this.repo = repo;
      this.state = state;
      this.cpDir = cpDir;
      this.kubelet = kubelet;
      this.access = new PodAccess(admin);
      this.controlPlaneStartMs = controlPlaneStartMs;
      this.purge = purge;
      this.operators = new OperatorProcesses(repo, state, kubelet::hostsFile);
    }

    public long controlPlaneStartMs() {
      return controlPlaneStartMs;
    }

    @Override
    public Optional<Path> stateDir() {
      return Optional.of(state);
    }

    @Override
    public Optional<Path> statusAuditLog() {
      return Optional.of(cpDir.resolve("logs/audit.log"));
    }

    /** Any ballot/node tag runs the built jar. */
    @Override
    public boolean runsNodeImage(String image) {
      return NODE_IMAGE.matcher(image).matches();
    }

    public ProcessKubelet kubelet() {
      return kubelet;
    }

    @Override
    public OperatorMode operatorMode() {
      return OperatorMode.LOCAL_PROCESS;
    }

    @Override
    public Process startOperator(Path operatorKubeconfig, Map<String, String> env) throws IOException {
      return operators.start(operatorKubeconfig, env);
    }

    @Override
    public java.util.Optional<InetSocketAddress> localOperatorMetrics() {
      return operators.metrics();
    }

    @Override
    public java.util.Optional<java.nio.file.Path> localOperatorLog() {
      return operators.log();
    }

    @Override
    public InetSocketAddress reach(Pod pod, int port) throws Exception {
      return access.reach(pod, port);
    }

    @Override
    public String crash(Pod pod) {
      long pid = kubelet.crashContainer(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), null);
      return "SIGKILL pid " + pid;
    }

    @Override
    public boolean canFreeze() {
      return true;
    }

    @Override
    public String freeze(Pod pod, boolean frozen) throws Exception {
      String signal = frozen ? "STOP" : "CONT";
      long pid = kubelet.signalContainer(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), signal);
      return "SIG" + signal + " pid " + pid;
    }

    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      operators.stopAll();
      kubelet.close();
      access.close();
      admin().close();
      stopControlPlane(repo, cpDir);
      OperatorProcess.purgeStateDir(state, purge);
    }
  }
}
