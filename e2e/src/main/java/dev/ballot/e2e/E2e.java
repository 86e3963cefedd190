package dev.ballot.e2e;

import dev.ballot.e2e.journey.Journey;
import dev.ballot.e2e.journey.JourneyContext;
import dev.ballot.e2e.journey.Kubectl;
import dev.ballot.e2e.journey.ScenarioResult;
import dev.ballot.e2e.provider.Cluster;
import dev.ballot.e2e.provider.ClusterProvider;
import dev.ballot.e2e.provider.LocalProvider;
import dev.ballot.e2e.provider.NodeCluster;
import dev.ballot.e2e.provider.ProviderLock;
import dev.ballot.e2e.provider.Providers;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of e2e/run and e2e/sandbox.
 * <pre>
 *   run [--provider node|local|existing|k3s] [--only name,name]   the journey; one line per scenario
 *   sandbox [--provider node|local]                               a cluster + operator + example, until stopped
 * </pre>
 */
public final class E2e {
  /** Kept reachable: a collected channel would be closed by its cleaner and release the lock mid-run. */
  private static java.nio.channels.FileLock runLock;

  private E2e() {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(Optional.ofNullable(System.getenv("BALLOT_REPO")).orElse(".")).toAbsolutePath().normalize();
    String mode = args.length > 0 ? args[0] : "run";
    String provider = "node";
    List<String> only = List.of();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--provider" -> provider = args[++i];
        case "--only" -> only = List.of(args[++i].split(","));
        default -> {
          System.err.println("unknown argument " + args[i] + "; usage: run [--provider node|local|existing|k3s] [--only a,b] | sandbox [--provider node|local]");
          System.exit(2);
        }
      }
    }
    runLock = ProviderLock.acquire(provider); // held until exit: a concurrent run of the same provider waits
    int code;
    try {
      code = dispatch(mode, repo, provider, only);
    } catch (IllegalArgumentException e) {
      System.err.println("e2e: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }

  private static int dispatch(String mode, Path repo, String provider, List<String> only) throws Exception {
    return switch (mode) {
      case "run" -> run(repo, provider, only);
      case "sandbox" -> sandbox(repo, provider);
      default -> throw new IllegalArgumentException("unknown mode " + mode + "; use run or sandbox");
    };
  }

  static int run(Path repo, String providerName, List<String> only) throws Exception {
    ClusterProvider provider = Providers.byName(providerName, repo);
    Optional<String> why = provider.unavailableReason();
    if (why.isPresent()) {
      System.out.println("e2e provider=" + providerName + " skipped: " + why.get());
      System.out.println("e2e scenarios=0 passed=0 failed=0");
      return providerName.equals("k3s") ? 0 : 2;
    }
    long t0 = System.currentTimeMillis();
    try (Cluster cluster = provider.start()) {
      // Ctrl-C or a CI timeout still stops every process the run started (close is idempotent)
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "e2e-cleanup"));
      long upMs = System.currentTimeMillis() - t0;
      System.out.println("e2e provider=" + providerName + " cluster_up_ms=" + upMs
          + (cluster instanceof LocalProvider.LocalCluster lc ? " controlplane_start_ms=" + lc.controlPlaneStartMs() : "")
          + (cluster instanceof NodeCluster nc ? " " + nc.timings() : "")
          + " operator=" + cluster.operatorMode().name().toLowerCase(java.util.Locale.ROOT)
          + cluster.stateDir().map(d -> " state=" + d).orElse(""));
      Kubectl kubectl = new Kubectl(cluster.adminKubeconfig(), repo);
      JourneyContext ctx = new JourneyContext(cluster, kubectl, repo, "ballot-e2e");
      Journey journey = Journey.standard().on(cluster);
      if (!only.isEmpty()) {
        List<String> keep = only;
        journey = new Journey(journey.scenarios().stream()
            .filter(s -> keep.contains(s.name())).toList());
      }
      List<ScenarioResult> results = journey.run(ctx, System.out);
      long passed = results.stream().filter(ScenarioResult::passed).count();
      System.out.println("e2e scenarios=" + results.size() + " passed=" + passed + " failed=" + (results.size() - passed));
      return passed == results.size() ? 0 : 1;
    }
  }

  static int sandbox(Path repo, String providerName) throws Exception {
    if (!providerName.equals("node") && !providerName.equals("local")) {
      throw new IllegalArgumentException("sandbox --provider " + providerName + ": use node or local");
    }
    ClusterProvider provider = Providers.byName(providerName, repo);
    Optional<String> why = provider.unavailableReason();
    if (why.isPresent()) {
      System.err.println("sandbox: " + why.get());
      return 2;
    }
    Cluster cluster = provider.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.err.println("sandbox: stopping");
      cluster.close();
      stopped.countDown();
    }));
    Kubectl kubectl = new Kubectl(cluster.adminKubeconfig(), repo);
    JourneyContext ctx = new JourneyContext(cluster, kubectl, repo, "default");
    Journey setup = new Journey(Journey.standard().scenarios().stream()
        .filter(s -> s.name().equals("install") || s.name().equals("create-raft")).toList());
    List<ScenarioResult> results = setup.run(ctx, System.err);
    System.out.println();
    System.out.println("Ballot sandbox is up" + (results.stream().allMatch(ScenarioResult::passed) ? "" : " (setup had failures, see above)"));
    System.out.println("  export KUBECONFIG=" + cluster.adminKubeconfig());
    System.out.println("  export PATH=" + Path.of(System.getProperty("user.home"), ".cache/ballot/k8s-" + LocalProvider.K8S_VERSION, "bin")
        + ":$PATH   # kubectl of the control plane's version");
    System.out.println("  kubectl get ec -A");
    System.out.println(kubectl.run("get", "ec", "-A").out());
    System.out.println("State and logs: " + cluster.stateDir().map(Path::toString).orElse("?")
        + (cluster instanceof NodeCluster ? "  (node/logs: kubelet, containerd, ...; `kubectl logs` works)"
        : "  (pods: kubelet/pods/*/logs, operator.log)"));
    System.out.println("Stop with Ctrl-C (or kill " + ProcessHandle.current().pid() + ").");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
