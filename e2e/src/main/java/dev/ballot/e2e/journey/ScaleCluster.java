package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.StatusReport;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * {@code kubectl scale ec/<name> --replicas=<to>} and back, while a client keeps writing: waits (with a deadline)
 * until the status shows exactly the new voters, all ready, Ready True, and only their pods run; checks that every
 * member reports the same configuration of exactly those voters; reads back every acknowledged write; and samples
 * the status all along so that any moment with quorum lost (fewer voters answering than a majority) fails the
 * scenario. Elections (no leader for a moment) are counted during each step and, for comparison, in a window of the
 * same client load without scaling first. On failure the sampled history is written to a file whose path is printed.
 */
public final class ScaleCluster implements Scenario {
  private static final long STEP_DEADLINE_MS = 300_000;
  private static final long BASELINE_MS = 10_000;
  private final String scenario;
  private final CreateCluster created;
  private final String clusterName;
  private final String manifest;
  private final int to;
  /** Operator kills at step boundaries while scaling up, and while scaling back ({@link OperatorCrasher}). */
  private int killsUp;
  private int killsDown;

  /** Scales a cluster an earlier scenario created. */
  public ScaleCluster(String scenario, CreateCluster created, int to) {
    this.scenario = scenario;
    this.created = created;
    this.clusterName = created.clusterName;
    this.manifest = null;
    this.to = to;
  }

  /**
   * The same, with the operator SIGKILLed and started again at each new step, up to {@code up} times while scaling up
   * and {@code down} times while scaling back (only where the operator runs as a local process).
   */
  public static ScaleCluster withOperatorKills(String scenario, CreateCluster created, int to, int up, int down) {
    ScaleCluster s = new ScaleCluster(scenario, created, to);
    s.killsUp = up;
    s.killsDown = down;
    return s;
  }

  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return killsUp + killsDown == 0 || OperatorCrasher.applies(cluster);
  }

  /** Creates its own cluster from {@code manifest} (YAML), scales it, and deletes it at the end. */
  private ScaleCluster(String scenario, String clusterName, String manifest, int to) {
    this.scenario = scenario;
    this.created = null;
    this.clusterName = clusterName;
    this.manifest = manifest;
    this.to = to;
  }

  /**
   * A 3-voter ZAB cluster without observers (the planner does not scale clusters with observers), ZooKeeper timing
   * shortened to tickTime 500 ms.
   */
  public static ScaleCluster zab(String scenario, String clusterName, int to) {
    return new ScaleCluster(scenario, clusterName, String.join("\n",
        "apiVersion: ballot.dev/v1alpha1",
        "kind: ElectionCluster",
        "metadata:",
        "  name: " + clusterName,
        "spec:",
        "  protocol: Zab",
        "  replicas: 3",
        // no image: the operator's default, the node image of its own build (a fixed tag went stale when the
        // images were renamed, and a real node cannot pull it)
        "  zab: {tickTime: 500, initLimit: 10, syncLimit: 5}",
        "  storage: {size: 1Gi}",
        "  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}",
        ""), to);
  }

  @Override
  public String name() {
    return scenario;
  }

  @Override
  public List<String> needs() {
    return List.of(created != null ? created.name() : "install");
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = clusterName;
    if (manifest == null) {
      scaleAndBack(ctx, r, ec);
      return;
    }
    Path file = ctx.repo().resolve("e2e/target/e2e-manifests/" + ec + ".yaml");
    java.nio.file.Files.createDirectories(file.getParent());
    java.nio.file.Files.writeString(file, manifest);
    long t0 = System.currentTimeMillis();
    Kubectl.Result apply = ctx.kubectl().run("apply", "-n", ctx.namespace(), "-f", file.toString());
    Kubectl.Result ready = apply.ok() ? ctx.kubectl().run(330, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=300s") : apply;
    r.put("ready_ms", System.currentTimeMillis() - t0);
    try {
      if (r.check(ready.ok(), "creating " + ec + " failed or it was not Ready within 300 s: " + ready)) {
        scaleAndBack(ctx, r, ec);
      }
    } finally {
      Kubectl.Result deleted = ctx.kubectl().run(200, "delete", "-n", ctx.namespace(), "electioncluster/" + ec,
          "--wait=true", "--timeout=180s");
      r.check(deleted.ok(), "deleting " + ec + " failed: " + deleted);
    }
  }

  private void scaleAndBack(JourneyContext ctx, ScenarioResult r, String ec) throws Exception {
    Optional<GenericKubernetesResource> before = ctx.electionCluster(ec);
    if (!r.check(before.isPresent(), "ElectionCluster " + ec + " is gone")) {
      return;
    }
    @SuppressWarnings("unchecked")
    int from = ((Number) ((Map<String, Object>) before.get().getAdditionalProperties().get("spec")).get("replicas"))
        .intValue();
    ScaleHistory history = new ScaleHistory(() -> ctx.electionCluster(ec), 200).start();
    CachedMembers addresses = new CachedMembers(ctx, ec);
    KvWriter writer = new KvWriter(scenario + "-" + System.currentTimeMillis(), ctx.clientKv(ec), addresses, Duration.ofMinutes(15))
        .start();
    try {
      if (!r.check(awaitCondition(() -> writer.ackedCount() > 0, 30_000), "no write acknowledged before scaling")) {
        return;
      }
      // The same window without scaling: how often this machine's load alone makes the members elect.
      history.takeElections();
      awaitCondition(() -> false, BASELINE_MS);
      r.put("elections_baseline_" + BASELINE_MS / 1000 + "s", history.takeElections());
      if (!scaleLeg(ctx, r, history, ec, to, killsUp, "up") || !scaleLeg(ctx, r, history, ec, from, killsDown, "down")) {
        return;
      }
      writer.stopAndJoin();
      List<String> lost = writer.verify(ctx.clientAddresses(ec));
      long kept = ctx.cluster().admin().persistentVolumeClaims().inNamespace(ctx.namespace()).list().getItems()
          .stream().map(c -> c.getMetadata().getName())
          .filter(n -> ordinalOf(n, "data-" + ec + "-") >= from && ordinalOf(n, "data-" + ec + "-") < to).count();
      r.put("acked", writer.ackedCount()).put("acked_lost", lost.size()).put("writes_failed", writer.failures())
          .put("max_write_gap_ms", writer.maxGapMs()).put("pvcs_kept", kept);
      KvWriter.checkNoneLost(r, lost);
    } finally {
      writer.stopAndJoin();
      history.stopAndJoin();
      List<String> lostQuorum = history.quorumLostSamples();
      r.put("quorum_lost_samples", lostQuorum.size()).put("unheard_samples", history.unheardSamples().size())
          .put("leaderless_samples", history.leaderlessSamples().size());
      r.check(lostQuorum.isEmpty(), "status showed quorum lost: " + (lostQuorum.isEmpty() ? "" : lostQuorum.get(0)));
      if (!r.passed()) {
        Path file = history.write(historyDir(ctx).resolve(scenario + "-history-" + System.currentTimeMillis() + ".txt"));
        System.err.println(scenario + ": observed history in " + file);
        r.put("history", file);
      }
    }
  }

  /**
   * One way of the round trip: scales to {@code replicas} (killing the operator {@code kills} times meanwhile),
   * records how long it took and the elections it caused; true when it got there with the right membership.
   */
  private boolean scaleLeg(JourneyContext ctx, ScenarioResult r, ScaleHistory history, String ec, int replicas,
      int kills, String phase) throws Exception {
    OperatorCrasher crasher = kills > 0 ? new OperatorCrasher(ctx, ec, kills).start() : null;
    long took = scale(ctx, r, history, ec, replicas);
    r.put("scale_" + phase + "_s", seconds(took)).put("elections_" + phase, history.takeElections());
    if (crasher != null && !checkKills(r, crasher, phase)) {
      return false;
    }
    return took >= 0 && membershipMatches(ctx, r, ec, replicas);
  }

  /** Records where the operator was killed; at least one kill must have happened between steps. */
  private static boolean checkKills(ScenarioResult r, OperatorCrasher crasher, String phase)
      throws InterruptedException {
    List<String> kills = crasher.stop();
    r.put("operator_kills_" + phase, kills.size()).put("killed_" + phase + "_at", String.join("; ", kills));
    return r.check(!kills.isEmpty() && crasher.error() == null, "the operator was not killed while scaling " + phase
        + (crasher.error() == null ? "" : ": " + crasher.error()));
  }

  /** Scales with kubectl and waits for the new shape; returns the millis it took, or -1 (the result says why). */
  private long scale(JourneyContext ctx, ScenarioResult r, ScaleHistory history, String ec, int replicas)
      throws InterruptedException {
    long t0 = System.currentTimeMillis();
    history.note("kubectl scale --replicas=" + replicas);
    Kubectl.Result scaled = ctx.kubectl().run("scale", "-n", ctx.namespace(), "electioncluster/" + ec,
        "--replicas=" + replicas);
    if (!r.check(scaled.ok(), "kubectl scale --replicas=" + replicas + " failed: " + scaled)) {
      return -1;
    }
    boolean done = awaitCondition(() -> hasShape(ctx, ec, replicas), STEP_DEADLINE_MS);
    long took = System.currentTimeMillis() - t0;
    history.note((done ? "reached " : "did not reach ") + replicas + " voters after " + took + " ms");
    if (!r.check(done, "status did not show " + replicas + " ready voters, Ready True and " + replicas
        + " pods within " + STEP_DEADLINE_MS / 1000 + " s")) {
      ctx.kubectl().run("get", "-n", ctx.namespace(), "ec,sts,pods", "-o", "wide");
      return -1;
    }
    return took;
  }

  /** status: generation observed, exactly {@code n} members, all ready voters, Ready True; exactly n pods. */
  @SuppressWarnings("unchecked")
  static boolean hasShape(JourneyContext ctx, String ec, int n) {
    Optional<GenericKubernetesResource> found = ctx.electionCluster(ec);
    if (found.isEmpty()) {
      return false;
    }
    GenericKubernetesResource c = found.get();
    Map<String, Object> status = (Map<String, Object>) c.getAdditionalProperties().get("status");
    if (status == null || !String.valueOf(c.getMetadata().getGeneration())
        .equals(String.valueOf(status.get("observedGeneration")))) {
      return false;
    }
    Map<String, Object> q = (Map<String, Object>) status.getOrDefault("quorum", Map.of());
    List<Map<String, Object>> members = (List<Map<String, Object>>) status.getOrDefault("members", List.of());
    boolean ready = ((List<Map<String, Object>>) status.getOrDefault("conditions", List.of())).stream()
        .anyMatch(x -> "Ready".equals(x.get("type")) && "True".equals(x.get("status")));
    return ready && Integer.valueOf(n).equals(q.get("voters")) && Integer.valueOf(n).equals(q.get("healthy"))
        && members.size() == n
        && members.stream().allMatch(m -> Boolean.TRUE.equals(m.get("voter")) && Boolean.TRUE.equals(m.get("ready")))
        && ctx.members(ec).size() == n;
  }

  static final java.time.Duration AGREE_WITHIN = java.time.Duration.ofSeconds(15);

  /** Every member's own /v1/status lists the same configuration: exactly {@code <ec>-0..n-1}, all voters. */
  private boolean membershipMatches(JourneyContext ctx, ScenarioResult r, String ec, int n) throws Exception {
    TreeSet<String> expected = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      expected.add(ec + "-" + i + "/voter");
    }
    // A member learns that the last change committed with the leader's next message, which can come a heartbeat
    // after the resource's status shows it, and a member that has just started may not answer at once: ask again
    // until all agree, for at most AGREE_WITHIN.
    long deadline = System.nanoTime() + AGREE_WITHIN.toNanos();
    List<String> differ = new ArrayList<>();
    do {
      if (!differ.isEmpty()) {
        Thread.sleep(100);
      }
      differ.clear();
      for (Pod p : ctx.members(ec)) {
        InetSocketAddress a = ctx.cluster().reach(p, JourneyContext.HTTP_PORT);
        TreeSet<String> seen = new TreeSet<>();
        try {
          for (StatusReport.Member m : NodeApi.at(a).status().members()) {
            seen.add(m.id() + "/" + m.kind());
          }
        } catch (java.io.IOException e) {
          // a member busy starting (a just-created pod on 2 shared cores) may miss the 500 ms connect: ask again
          differ.add(p.getMetadata().getName() + " did not answer (" + e + ")");
          continue;
        }
        if (!seen.equals(expected)) {
          differ.add(p.getMetadata().getName() + " reports " + seen);
        }
      }
    } while (!differ.isEmpty() && System.nanoTime() < deadline);
    r.put("members_agree_" + n, differ.isEmpty());
    return r.check(differ.isEmpty(), "members disagree with " + expected + ": " + String.join("; ", differ));
  }

  private static boolean awaitCondition(Supplier<Boolean> condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (condition.get()) {
          return true;
        }
      } catch (RuntimeException e) {
        // the API server or a member briefly unavailable: look again
      }
      Thread.sleep(250);
    }
    return false;
  }

  private static String seconds(long ms) {
    return ms < 0 ? "-1" : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
  }

  private static int ordinalOf(String name, String prefix) {
    if (!name.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The state dir when it survives the run (BALLOT_E2E_KEEP), else e2e/target, which always does. */
  private static Path historyDir(JourneyContext ctx) {
    if (ctx.cluster().stateDir().isPresent() && System.getenv("BALLOT_E2E_KEEP") != null) {
      return ctx.cluster().stateDir().get();
    }
    return ctx.repo().resolve("e2e/target/e2e-history");
  }

  /** The members' client addresses, re-listed at most every 2 s so the writer reaches pods that join. */
  private static final class CachedMembers implements Supplier<List<InetSocketAddress>> {
    private final JourneyContext ctx;
    private final String ec;
    private List<InetSocketAddress> cached = List.of();
    private long at;

    CachedMembers(JourneyContext ctx, String ec) {
      this.ctx = ctx;
      this.ec = ec;
    }

    @Override
    public synchronized List<InetSocketAddress> get() {
      if (System.currentTimeMillis() - at > 2_000) {
        try {
          cached = ctx.clientAddresses(ec);
        } catch (Exception e) {
          // keep the last list
        }
        at = System.currentTimeMillis();
      }
      return cached;
    }
  }
}
