package dev.ballot.e2e.journey;

import dev.ballot.e2e.provider.Cluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What scenarios share: the cluster, kubectl, the repo, the test namespace, and cluster-status reads. */
public final class JourneyContext {
  public static final String GROUP_VERSION = "ballot.dev/v1alpha1";
  public static final String KIND = "ElectionCluster";
  public static final int CLIENT_PORT = 2379;

  private final Cluster cluster;
  private final Kubectl kubectl;
  private final Path repo;
  private final String namespace;
  private final Map<String, ScenarioResult> results = new java.util.LinkedHashMap<>();
  Process operator;
  /** Where the operator started by Install as a local process serves /q/metrics (null otherwise). */
  java.net.InetSocketAddress localOperatorMetrics;

  public JourneyContext(Cluster cluster, Kubectl kubectl, Path repo, String namespace) {
    this.cluster = cluster;
    this.kubectl = kubectl;
    this.repo = repo;
    this.namespace = namespace;
  }

  public Cluster cluster() {
    return cluster;
  }

  public Kubectl kubectl() {
    return kubectl;
  }

  public Path repo() {
    return repo;
  }

  public String namespace() {
    return namespace;
  }

  /**
   * Where scenarios leave replay files: the local run's state dir when it is kept ({@code BALLOT_E2E_KEEP} or
   * {@code BALLOT_E2E_STATE}), else {@code e2e/target/e2e-history/<run>} (a purged state dir would lose them).
   */
  public Path artifactsDir() {
    boolean kept = System.getenv("BALLOT_E2E_KEEP") != null
        || (System.getenv("BALLOT_E2E_STATE") != null && !System.getenv("BALLOT_E2E_STATE").isEmpty());
    if (kept && cluster.stateDir().isPresent()) {
      return cluster.stateDir().get().resolve("history");
    }
    return repo.resolve("e2e/target/e2e-history").resolve(runId);
  }

  private final String runId = java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-');

  Map<String, ScenarioResult> results() {
    return results;
  }

  public Optional<GenericKubernetesResource> electionCluster(String name) {
    return Optional.ofNullable(cluster.admin().genericKubernetesResources(GROUP_VERSION, KIND)
        .inNamespace(namespace).withName(name).get());
  }

  /** status.leader and status.term of the cluster, when the operator has published them. */
  public record LeaderView(String leader, long term) {}

  @SuppressWarnings("unchecked")
  public Optional<LeaderView> leader(String name) {
    return electionCluster(name).map(ec -> (Map<String, Object>) ec.getAdditionalProperties().get("status"))
        .filter(s -> s.get("leader") != null && s.get("term") != null && !String.valueOf(s.get("leader")).isEmpty())
        .map(s -> new LeaderView(String.valueOf(s.get("leader")), Long.parseLong(String.valueOf(s.get("term")))));
  }

  public List<Pod> members(String clusterName) {
    return cluster.admin().pods().inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", clusterName).list().getItems();
  }

  public List<InetSocketAddress> memberAddresses(String clusterName) throws Exception {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Pod p : members(clusterName)) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        out.add(cluster.reach(p, CLIENT_PORT));
      }
    }
    return out;
  }
}
