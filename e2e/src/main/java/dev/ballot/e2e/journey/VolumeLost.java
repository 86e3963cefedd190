package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member's volume is lost under writes, as an SRE meets it: {@code kubectl delete pvc} of a voter's claim (follower
 * or leader), then {@code kubectl delete pod}. The StatefulSet recreates the pod with a new, empty claim; the member
 * must not vote empty (it starts with {@code BALLOT_INITIAL_CLUSTER_STATE=existing} and reports that it needs
 * replacing), and the operator replaces it: removed, added again as a learner, promoted once caught up. Passes when
 * the status showed the member as needing replacement, the cluster is Ready again with that member a voter on a new
 * claim holding every acknowledged write, no acknowledged write is lost and the status never showed quorum lost.
 */
public final class VolumeLost extends OnCreatedCluster {
  private final boolean leader;
  private final int operatorKills;

  /** @param leader lose the leader's volume (else a follower's) */
  public VolumeLost(String scenario, CreateCluster created, boolean leader) {
    this(scenario, created, leader, 0);
  }

  /**
   * @param operatorKills kill the operator at each of the replacement's first steps, up to this many times
   *                      ({@link OperatorCrasher}; only where the operator runs as a local process)
   */
  public VolumeLost(String scenario, CreateCluster created, boolean leader, int operatorKills) {
    super(scenario, created);
    this.leader = leader;
    this.operatorKills = operatorKills;
  }

  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return operatorKills == 0 || OperatorCrasher.applies(cluster);
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    String ns = ctx.namespace();
    Optional<JourneyContext.LeaderView> before = readyLeader(ctx, r, "before the fault");
    if (before.isEmpty()) {
      return;
    }
    String target = leader ? before.get().leader() : ctx.members(ec).stream().map(p -> p.getMetadata().getName())
        .filter(n -> !n.equals(before.get().leader())).sorted().findFirst().orElse(null);
    String claim = "data-" + target;
    PersistentVolumeClaim oldClaim = ctx.cluster().admin().persistentVolumeClaims().inNamespace(ns).withName(claim).get();
    Pod oldPod = ctx.cluster().admin().pods().inNamespace(ns).withName(target).get();
    if (!r.check(oldClaim != null && oldPod != null, "no pod and claim " + claim + " for member " + target)) {
      return;
    }
    String oldClaimUid = oldClaim.getMetadata().getUid();
    r.put("member", target);

    StatusSampler sampler = new StatusSampler(ctx, ec, target).start();
    List<InetSocketAddress> members = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> members,
        Duration.ofSeconds(400)).start();
    long warm = System.currentTimeMillis() + 30_000;
    while (writer.ackedCount() == 0 && System.currentTimeMillis() < warm) {
      Thread.sleep(100); // the client connects and the first writes are acknowledged
    }
    Thread.sleep(500);
    int ackedBefore = writer.ackedCount();
    OperatorCrasher crasher = operatorKills > 0 ? new OperatorCrasher(ctx, ec, operatorKills).start() : null;
    long faultAt = System.currentTimeMillis();
    Kubectl.Result delClaim = ctx.kubectl().run("delete", "pvc", claim, "-n", ns, "--wait=false");
    Kubectl.Result delPod = ctx.kubectl().run("delete", "pod", target, "-n", ns, "--wait=false");
    if (!r.check(delClaim.ok() && delPod.ok(), "deleting the claim and pod failed: " + delClaim + " " + delPod)) {
      writer.stopAndJoin();
      sampler.stop();
      return;
    }
    // Replaced: the member was shown as needing replacement, and the cluster is Ready again with it a voter.
    long deadline = faultAt + 300_000;
    boolean replaced = false;
    while (System.currentTimeMillis() < deadline && !replaced) {
      replaced = sampler.sawNeedsReplacement.get() && sampler.readyWithVoter();
      if (!replaced) {
        Thread.sleep(200);
      }
    }
    long replacedMs = System.currentTimeMillis() - faultAt;
    writer.stopAndJoin();
    sampler.stop();
    List<String> kills = crasher == null ? List.of() : crasher.stop();
    if (crasher != null) {
      r.put("operator_kills", kills.size()).put("killed_at", String.join("; ", kills));
      r.check(kills.size() == operatorKills, "the operator was killed " + kills.size() + " times, not "
          + operatorKills + (crasher.error() == null ? "" : ": " + crasher.error()));
    }
    long behind = replaced ? behindLeader(ctx, ec, target) : -1;
    List<String> lost = writer.verify(ctx.clientAddresses(ec));
    PersistentVolumeClaim newClaim = ctx.cluster().admin().persistentVolumeClaims().inNamespace(ns).withName(claim).get();
    boolean freshClaim = newClaim != null && !oldClaimUid.equals(newClaim.getMetadata().getUid());
    long warnings = ctx.operatorEvents(ec, "MemberNeedsReplacement", faultAt).stream()
        .filter(e -> e.getMessage() != null && e.getMessage().startsWith(target + " "))
        .count();
    r.put("replaced", replaced).put("replaced_ms", replaced ? replacedMs : -1)
        .put("needs_replacement_seen_ms", sampler.needsReplacementAtMs(faultAt))
        .put("fresh_claim", freshClaim).put("warning_events", warnings)
        .put("acked", writer.ackedCount()).put("failed", writer.failures())
        .put("max_write_gap_ms", writer.maxGapMs()).put("acked_lost", lost.size())
        .put("replaced_behind", behind).put("quorum_lost_seen", sampler.quorumLost.get());
    r.check(ackedBefore > 0, "no write was acknowledged before the fault");
    r.check(replaced, "the member was not shown as needing replacement and replaced (a Ready voter again) within 300 s;"
        + " last status: " + sampler.last);
    r.check(freshClaim, "the member does not run on a new claim");
    r.check(lost.isEmpty(), "acknowledged writes lost: " + String.join(", ", lost.subList(0, Math.min(5, lost.size()))));
    r.check(behind == 0, "the replaced member " + target + " did not apply everything the leader had committed once the"
        + " writes stopped (" + behind + " entries behind after 20 s)");
    r.check(sampler.quorumLost.get() == 0, "Degraded was True for QuorumLost in " + sampler.quorumLost.get()
        + " status samples");
    r.check(warnings > 0, "no MemberNeedsReplacement Warning Event for " + target);
  }

  /**
   * How far the replaced member's applied index is behind the leader's commit index read once the writes stopped
   * (so every acknowledged write is at or below it), after up to 20 s of catching up; 0 once it holds them all.
   */
  private static long behindLeader(JourneyContext ctx, String ec, String member) throws Exception {
    Map<String, InetSocketAddress> http = new java.util.HashMap<>();
    for (Pod p : ctx.members(ec)) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        http.put(p.getMetadata().getName(), ctx.cluster().reach(p, JourneyContext.HTTP_PORT));
      }
    }
    // Asked again for up to 10 s: one round can miss the leader (a first TLS handshake on a loaded machine, an
    // election in progress) and -1 would then fail the scenario for the harness's sake.
    Long committed = null;
    Map<String, String> lastAnswer = new java.util.TreeMap<>();
    long leaderDeadline = System.currentTimeMillis() + 10_000;
    while (committed == null && System.currentTimeMillis() < leaderDeadline) {
      for (Map.Entry<String, InetSocketAddress> m : http.entrySet()) {
        try {
          var s = NodeApi.at(m.getValue()).status();
          lastAnswer.put(m.getKey(), s.role() + " term " + s.term());
          if (s.leads()) {
            committed = s.commitIndex();
          }
        } catch (Exception e) {
          lastAnswer.put(m.getKey(), e.toString()); // not answering: ask the next
        }
      }
      if (committed == null) {
        Thread.sleep(250);
      }
    }
    if (committed == null || !http.containsKey(member)) {
      System.err.println("replaced member check: no leader answered within 10 s: " + lastAnswer
          + (http.containsKey(member) ? "" : "; " + member + " has no pod address"));
      return -1;
    }
    long until = System.currentTimeMillis() + 20_000;
    long behind;
    do {
      long applied;
      try {
        applied = NodeApi.at(http.get(member)).status().appliedIndex();
      } catch (Exception e) {
        applied = 0;
      }
      behind = Math.max(0, committed - applied);
      if (behind > 0) {
        Thread.sleep(250);
      }
    } while (behind > 0 && System.currentTimeMillis() < until);
    return behind;
  }

  /** Samples the cluster's status every 200 ms: quorum lost, the member shown as needing replacement, Ready. */
  private static final class StatusSampler implements Runnable {
    private final JourneyContext ctx;
    private final String ec;
    private final String member;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger quorumLost = new AtomicInteger();
    final AtomicBoolean sawNeedsReplacement = new AtomicBoolean();
    private volatile long needsReplacementAt = -1;
    private volatile boolean readyWithVoter;
    volatile String last = "";
    private Thread thread;

    StatusSampler(JourneyContext ctx, String ec, String member) {
      this.ctx = ctx;
      this.ec = ec;
      this.member = member;
    }

    StatusSampler start() {
      thread = new Thread(this, "volume-lost-sampler");
      thread.setDaemon(true);
      thread.start();
      return this;
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(5_000);
    }

    boolean readyWithVoter() {
      return readyWithVoter;
    }

    long needsReplacementAtMs(long since) {
      return needsReplacementAt < 0 ? -1 : needsReplacementAt - since;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void run() {
      while (running.get()) {
        try {
          Map<String, Object> status = ctx.electionCluster(ec)
              .map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status")).orElse(null);
          if (status != null) {
            List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.getOrDefault("conditions",
                List.of());
            List<Map<String, Object>> members = (List<Map<String, Object>>) status.getOrDefault("members", List.of());
            boolean degradedLost = conditions.stream().anyMatch(c -> "Degraded".equals(c.get("type"))
                && "True".equals(c.get("status")) && "QuorumLost".equals(c.get("reason")));
            if (degradedLost) {
              quorumLost.incrementAndGet();
            }
            Map<String, Object> self = members.stream().filter(m -> member.equals(m.get("name"))).findFirst()
                .orElse(Map.of());
            if (Boolean.TRUE.equals(self.get("needsReplacement")) && sawNeedsReplacement.compareAndSet(false, true)) {
              needsReplacementAt = System.currentTimeMillis();
            }
            boolean ready = conditions.stream().anyMatch(c -> "Ready".equals(c.get("type"))
                && "True".equals(c.get("status")));
            readyWithVoter = ready && Boolean.TRUE.equals(self.get("voter")) && Boolean.TRUE.equals(self.get("ready"))
                && !Boolean.TRUE.equals(self.get("needsReplacement"));
            last = conditions.stream().map(c -> c.get("type") + "=" + c.get("status") + "/" + c.get("reason")
                + (Objects.equals(c.get("type"), "Reconciling") ? ":" + c.get("message") : ""))
                .toList().toString();
          }
        } catch (RuntimeException e) {
          last = "status read failed: " + e.getMessage();
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
