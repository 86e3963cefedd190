package dev.ballot.e2e.journey;

import dev.ballot.e2e.clients.ClientKv;
import dev.ballot.e2e.provider.Cluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What scenarios share: the cluster, kubectl, the repo, the test namespace, the results so far (a later scenario
 * runs only if those it needs passed), and cluster-status reads.
 */
public record JourneyContext(Cluster cluster, Kubectl kubectl, Path repo, String namespace,
                             Map<String, ScenarioResult> results, String runId) {
  public static final String GROUP_VERSION = "ballot.dev/v1alpha1";
  public static final String KIND = "ElectionCluster";
  /** Ballot's HTTP API on every member (status, events, admin, key-value): docs/conventions.md "Ports". */
  public static final int HTTP_PORT = 8080;
  /** The client ports applications use: etcd's on Raft clusters, ZooKeeper's on ZAB clusters. */
  public static final int ETCD_PORT = 2379;
  public static final int ZOOKEEPER_PORT = 2181;
  /** ZooKeeper's secureClientPort: the only ZooKeeper port a TLS cluster serves (docs/zookeeper.md, TLS). */
  public static final int ZOOKEEPER_TLS_PORT = 2281;

  public JourneyContext(Cluster cluster, Kubectl kubectl, Path repo, String namespace) {
    this(cluster, kubectl, repo, namespace, new java.util.LinkedHashMap<>(),
        java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-'));
    if (JourneyTls.on(cluster)) {
      NodeApi.useTls(JourneyTls.enable(cluster.admin()));
    }
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

  public Optional<GenericKubernetesResource> electionCluster(String name) {
    return Optional.ofNullable(cluster.admin().genericKubernetesResources(GROUP_VERSION, KIND)
        .inNamespace(namespace).withName(name).get());
  }

  /** status.leader and status.term of the cluster, when the operator has published them. */
  public record LeaderView(String leader, long term) {}

  public Optional<LeaderView> leader(String name) {
    return electionCluster(name).flatMap(JourneyContext::leaderOf);
  }

  /** status.leader and status.term of {@code ec}, when the operator has published them. */
  @SuppressWarnings("unchecked")
  static Optional<LeaderView> leaderOf(GenericKubernetesResource ec) {
    return Optional.ofNullable((Map<String, Object>) ec.getAdditionalProperties().get("status"))
        .filter(s -> s.get("leader") != null && s.get("term") != null && !String.valueOf(s.get("leader")).isEmpty())
        .map(s -> new LeaderView(String.valueOf(s.get("leader")), Long.parseLong(String.valueOf(s.get("term")))));
  }

  /**
   * Watches the ElectionCluster {@code name} and completes with when (System.currentTimeMillis()) and what status a
   * watch event first showed a leader in a term above {@code aboveTerm}: the moment the API server published it,
   * without a poll's period and round trip. Close the returned watch when done.
   */
  public io.fabric8.kubernetes.client.Watch watchLeader(String name, long aboveTerm,
      java.util.concurrent.CompletableFuture<java.util.Map.Entry<Long, LeaderView>> seen) {
    return cluster.admin().genericKubernetesResources(GROUP_VERSION, KIND).inNamespace(namespace).withName(name)
        .watch(new io.fabric8.kubernetes.client.Watcher<GenericKubernetesResource>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource ec) {
            long at = System.currentTimeMillis();
            leaderOf(ec).filter(v -> v.term() > aboveTerm).ifPresent(v -> seen.complete(java.util.Map.entry(at, v)));
          }

          @Override
          public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
            // the poll beside it still measures
          }
        });
  }

  /**
   * The operator's Events on ElectionCluster {@code name} with {@code reason} last seen at or after {@code sinceMs}
   * (less a second: an Event's time has whole seconds).
   */
  public List<io.fabric8.kubernetes.api.model.Event> operatorEvents(String name, String reason, long sinceMs) {
    return cluster.admin().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName())
            && KIND.equals(e.getInvolvedObject().getKind()) && reason.equals(e.getReason())
            && e.getLastTimestamp() != null
            && java.time.Instant.parse(e.getLastTimestamp()).toEpochMilli() >= sinceMs - 1000)
        .toList();
  }

  public List<Pod> members(String clusterName) {
    return cluster.admin().pods().inNamespace(namespace)
        .withLabel("app.kubernetes.io/instance", clusterName).list().getItems();
  }

  /** The members' HTTP API (status, events, admin). */
  public List<InetSocketAddress> memberAddresses(String clusterName) throws Exception {
    return addresses(clusterName, HTTP_PORT);
  }

  /** The members' client ports (etcd's or ZooKeeper's, by the cluster's protocol), for a {@link #clientKv}. */
  public List<InetSocketAddress> clientAddresses(String clusterName) throws Exception {
    return addresses(clusterName, clientPort(clusterName));
  }

  private List<InetSocketAddress> addresses(String clusterName, int port) throws Exception {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Pod p : members(clusterName)) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        out.add(cluster.reach(p, port));
      }
    }
    return out;
  }

  /** spec.protocol of the cluster: "Raft" (the CRD's default) or "Zab". */
  @SuppressWarnings("unchecked")
  public String protocol(String clusterName) {
    return electionCluster(clusterName).map(ec -> (Map<String, Object>) ec.getAdditionalProperties().get("spec"))
        .map(s -> String.valueOf(s.getOrDefault("protocol", "Raft"))).orElse("Raft");
  }

  public int clientPort(String clusterName) {
    return clientPort(protocol(clusterName), tls(clusterName));
  }

  static int clientPort(String protocol, boolean tls) {
    return !"zab".equalsIgnoreCase(protocol) ? ETCD_PORT : tls ? ZOOKEEPER_TLS_PORT : ZOOKEEPER_PORT;
  }

  /**
   * Whether the cluster serves its clients over TLS, as it tells its applications: {@code status.endpoints.http} is an
   * https URL. Before the operator has published endpoints: whether it keeps certificates for the cluster.
   */
  @SuppressWarnings("unchecked")
  public boolean tls(String clusterName) {
    Optional<String> http = electionCluster(clusterName)
        .map(ec -> (Map<String, Object>) ec.getAdditionalProperties().get("status"))
        .map(s -> (Map<String, Object>) s.get("endpoints")).map(e -> e.get("http")).map(String::valueOf);
    if (http.isPresent()) {
      return http.get().startsWith("https://");
    }
    return cluster.admin().secrets().inNamespace(namespace).withName(clusterName + "-tls").get() != null;
  }

  /**
   * A new directory for files a scenario writes and nobody needs after the run (certificates and private keys read
   * from Secrets, an attacker's keys): inside the provider's state dir, which the run removes unless it is kept;
   * without one (an existing cluster), under one temporary directory removed when the harness exits. Before, these
   * were left in /tmp by every run.
   */
  public Path scratchDir(String prefix) throws java.io.IOException {
    Path root = cluster.stateDir().map(d -> d.resolve("scratch")).orElseGet(JourneyContext::exitScratch);
    java.nio.file.Files.createDirectories(root);
    return java.nio.file.Files.createTempDirectory(root, prefix);
  }

  private static Path exitScratchRoot;

  private static synchronized Path exitScratch() {
    if (exitScratchRoot == null) {
      try {
        Path root = java.nio.file.Files.createTempDirectory("ballot-e2e-scratch-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root), "e2e-scratch-cleanup"));
        exitScratchRoot = root;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot make a scratch directory for the journey", e);
      }
    }
    return exitScratchRoot;
  }

  private static void deleteTree(Path root) {
    try (var paths = java.nio.file.Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("e2e: could not remove " + root + ": " + e);
    }
  }

  /**
   * The client an application would use on this cluster: jetcd on Raft, ZooKeeper's on ZAB; on a TLS cluster over TLS
   * (jetcd on the etcd port, ZooKeeper's secure client on 2281) with the certificate JourneyTls also uses (the
   * cluster's {@code spec.clients} entry {@code journey}, else the operator's).
   */
  public ClientKv clientKv(String clusterName) {
    String protocol = protocol(clusterName);
    if (!tls(clusterName)) {
      return ClientKv.forProtocol(protocol);
    }
    try {
      TlsClusterFiles files = TlsClusterFiles.read(this, clusterName, scratchDir("client-" + clusterName + "-"));
      return ClientKv.forProtocolTls(protocol, files.journeyClient(), files::authority);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the client certificate of TLS cluster " + clusterName + ": " + e, e);
    }
  }
}
