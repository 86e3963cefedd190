package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * An upgrade as a user makes it: a client keeps writing while {@code kubectl patch} gives the cluster a new node
 * image (where the provider runs that tag: the local provider runs the built jar for any {@code ballot/node} tag, the
 * real node has the built image under both tags; elsewhere a pod template
 * annotation, which rolls the same way), and the operator rolls every member. Checks, from what was observed: one
 * member down at a time, no pod deleted while its member led and the operator's TransferringLeadership Event
 * before the old leader's deletion, Degraded never True for QuorumLost, every acknowledged write readable after.
 */
public class RollingUpdate extends OnCreatedCluster {
  static final String NEW_IMAGE = dev.ballot.e2e.provider.NodeProvider.NEXT_NODE_IMAGE;
  private final Duration timeout;

  public RollingUpdate(String scenario, CreateCluster created, Duration timeout) {
    super(scenario, created);
    this.timeout = timeout;
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    List<Pod> before = ctx.members(ec);
    Set<String> names = Set.copyOf(LeaderFailover.names(before));
    Set<String> oldRevisions = Set.copyOf(before.stream().map(RollingUpdateRecorder::revision).toList());
    if (!r.check(!before.isEmpty() && oldRevisions.size() == 1,
        "expected the members of " + ec + " on one revision before the upgrade, got " + oldRevisions)) {
      return;
    }
    String oldRevision = oldRevisions.iterator().next();
    try (RollingUpdateRecorder rec = new RollingUpdateRecorder(ctx, ec, names).start()) {
      RollingUpdateHistory h = rec.history();
      if (!r.check(await(Duration.ofSeconds(60), () -> rec.clientAddresses().size() == names.size()
          && h.leaderAt(System.currentTimeMillis()).isPresent()), "the members were not all Ready with a leader "
          + "before the upgrade")) {
        return;
      }
      KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), rec::clientAddresses,
          timeout.plusMinutes(1)).start();
      if (!r.check(await(Duration.ofSeconds(20), () -> writer.ackedCount() > 0), "no write acknowledged before the upgrade")) {
        writer.stopAndJoin();
        return;
      }
      long t0 = System.currentTimeMillis();
      h.rolloutStarted(t0);
      String patch = upgradePatch(ctx);
      Kubectl.Result patched = ctx.kubectl().run("patch", "electioncluster", ec, "-n", ctx.namespace(),
          "--type", "merge", "-p", patch);
      if (!r.check(patched.ok(), "kubectl patch failed: " + patched)) {
        writer.stopAndJoin();
        return;
      }
      long generation = ctx.electionCluster(ec).map(x -> x.getMetadata().getGeneration()).orElse(-1L);
      int ackedAtPatch = writer.ackedCount();
      duringRollout(ctx, r, () -> h.restarts(oldRevision));
      boolean done = await(timeout, () -> rolledOut(rec, names, oldRevision, generation));
      long rolloutMs = System.currentTimeMillis() - t0;
      writer.stopAndJoin();
      List<String> lost = writer.verify(rec.clientAddresses().isEmpty() ? ctx.clientAddresses(ec) : rec.clientAddresses());
      rec.close();

      Path file = writeHistory(ctx, h);
      RollingUpdateHistory.Unavailability down = h.maxDown();
      List<String> leaderProblems = h.leaderViolations();
      List<String> changes = h.leaderChanges();
      List<RollingUpdateHistory.ClusterSeen> quorumLost = h.quorumLost();
      int restarts = h.restarts(oldRevision);
      r.put("rolling_update_s", String.format("%.1f", rolloutMs / 1000.0)).put("change", patch.contains("image")
              ? "image" : "annotation").put("restarts", restarts).put("leader_moves", h.leaderMoves())
          .put("by_transfer", changes.stream().filter(c -> c.startsWith("transfer")).count())
          .put("max_members_down", down.max()).put("acked", writer.ackedCount()).put("failed", writer.failures())
          .put("acked_lost", lost.size()).put("max_write_gap_ms", writer.maxGapMs())
          .put("quorum_lost_seen", quorumLost.size())
          .put("member_unreachable_events", h.operatorEvents("MemberUnreachable")); // planned restarts: 0 expected
      r.check(done, "not rolled out within " + timeout.toSeconds() + " s: " + progress(rec, oldRevision));
      r.check(restarts == names.size(), "expected " + names.size() + " restarts, saw " + restarts);
      r.check(down.max() <= 1, down.max() + " members down at once at " + down.atMs() + ": " + down.down());
      r.check(leaderProblems.isEmpty(), String.join("; ", leaderProblems));
      r.check(h.leaderMoves() >= 1, "leadership never moved although every member restarted");
      r.check(quorumLost.isEmpty(), "Degraded was True for QuorumLost during the rollout"
          + (quorumLost.isEmpty() ? "" : ": " + quorumLost.get(0)));
      r.check(writer.ackedCount() > ackedAtPatch, "no write acknowledged during the rollout");
      KvWriter.checkNoneLost(r, lost);
      if (!r.passed()) {
        r.put("history", file);
      }
    }
  }

  /**
   * A fault injected while the rollout runs (the rollout's own checks still apply to the whole of it); called once,
   * right after the patch, with the number of members restarted so far.
   */
  protected void duringRollout(JourneyContext ctx, ScenarioResult r, java.util.function.IntSupplier restarted)
      throws Exception {
    // a plain rolling update: nothing
  }

  /**
   * A new node image where the provider can run one and the cluster does not run it yet; otherwise a pod template
   * annotation (rolls the same way).
   */
  private String upgradePatch(JourneyContext ctx) {
    boolean onNewImage = ctx.electionCluster(created.clusterName)
        .map(x -> x.getAdditionalProperties().get("spec")).filter(Map.class::isInstance)
        .map(spec -> NEW_IMAGE.equals(((Map<?, ?>) spec).get("image"))).orElse(false);
    if (ctx.cluster().runsNodeImage(NEW_IMAGE) && !onNewImage) {
      return "{\"spec\":{\"image\":\"" + NEW_IMAGE + "\",\"version\":\"0.1.1\"}}";
    }
    return "{\"spec\":{\"podTemplate\":{\"annotations\":{\"ballot.dev/e2e-upgrade\":\""
        + System.currentTimeMillis() + "\"}}}}";
  }

  /** Every member's pod is Ready on a new revision, and Ready is True for the patched generation. */
  private static boolean rolledOut(RollingUpdateRecorder rec, Set<String> names, String oldRevision, long generation) {
    Map<String, Pod> pods = rec.pods();
    boolean podsDone = names.stream().allMatch(n -> {
      Pod p = pods.get(n);
      return p != null && p.getMetadata().getDeletionTimestamp() == null && RollingUpdateRecorder.ready(p)
          && !oldRevision.equals(RollingUpdateRecorder.revision(p));
    });
    if (!podsDone) {
      return false;
    }
    Optional<RollingUpdateHistory.ClusterSeen> last = rec.history().entries().stream()
        .filter(RollingUpdateHistory.ClusterSeen.class::isInstance).map(RollingUpdateHistory.ClusterSeen.class::cast)
        .reduce((a, b) -> b);
    return last.isPresent() && "True".equals(last.get().ready()) && last.get().readyGeneration() >= generation;
  }

  private static String progress(RollingUpdateRecorder rec, String oldRevision) {
    StringBuilder sb = new StringBuilder();
    rec.pods().values().forEach(p -> sb.append(p.getMetadata().getName()).append(oldRevision.equals(
        RollingUpdateRecorder.revision(p)) ? " old" : " new").append(RollingUpdateRecorder.ready(p) ? " ready" : " unready")
        .append("; "));
    return sb.toString();
  }

  /** Waits for a condition with a deadline, checking it every 50 ms (as Awaitility polls). */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }

  private Path writeHistory(JourneyContext ctx, RollingUpdateHistory h) throws IOException {
    Path dir = ctx.artifactsDir();
    Files.createDirectories(dir);
    Path file = dir.resolve(name() + "-history.txt");
    Files.write(file, h.lines());
    return file;
  }
}
