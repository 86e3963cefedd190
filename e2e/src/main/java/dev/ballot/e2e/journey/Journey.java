package dev.ballot.e2e.journey;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ordered scenarios of the user journey; rolling-update and scaling scenarios slot into {@link #standard()}.
 *
 * <p>Two lanes: most scenarios run one after another on the main lane; those wrapped in {@link Beside} (the ZAB
 * cluster's own: nothing else touches zab-5 or zab-s) run in their order on a second lane, beside the main lane's Raft
 * scenarios, as two teams would use one Kubernetes cluster and one operator at the same time. {@link Join} waits for
 * the second lane: before the clusters are deleted and the operator reinstalled. On the 2-core CI machine the journey
 * mostly waits on pods and elections, so the ZAB lane's ~4 minutes disappear from its length (docs/e2e.md, "CI time").
 */
public final class Journey {
  private final List<Scenario> scenarios;

  public Journey(List<Scenario> scenarios) {
    this.scenarios = scenarios;
  }

  public static Journey standard() {
    CreateCluster raft = new CreateCluster("create-raft", "examples/raft-3.yaml", "raft-3");
    CreateCluster zab = new CreateCluster("create-zab", "examples/zab-5-observer.yaml", "zab-5");
    CreateCluster tls = new CreateCluster("create-tls", "e2e/manifests/sec-3.yaml", "sec-3");
    return new Journey(List.of(
        new KubeletSmoke(), new Install(), raft, zab,
        new LeaderFailover("leader-failover-raft", raft),
        new LeaderFailover("leader-failover-zab", zab),
        new KubeApiserverOnBallot("kube-apiserver-on-ballot", raft),
        // deadlines for a busy 2-core machine: on the real node a member's pod takes 20-60 s from creation to Ready
        new RollingUpdate("rolling-update-raft", raft, java.time.Duration.ofSeconds(300)),
        new Beside(new RollingUpdate("rolling-update-zab", zab, java.time.Duration.ofSeconds(480))),
        new MemberPodDeleted("member-pod-deleted", raft),
        new OperatorCrashRollout("operator-crash-rollout", raft, java.time.Duration.ofSeconds(300), 3),
        new OperatorFailover("operator-failover", raft, java.time.Duration.ofSeconds(420)),
        new KubectlTools("kubectl-tools", raft),
        new KubectlBallotPlugin("kubectl-ballot", raft),
        new VolumeLost("volume-lost-follower", raft, false),
        new VolumeLost("volume-lost-leader", raft, true),
        new VolumeLost("operator-crash-replace", raft, false, 3),
        new QuorumLossRecovery("quorum-loss-recovery", raft),
        // ZAB: 4 of 5 voters lost, the observer keeps its data; the re-added members learn the rebuilt
        // configuration from the leader's election notifications (docs/engine.md)
        new Beside(new QuorumLossRecovery("quorum-loss-recovery-zab", zab)),
        // a real Prometheus: dashboard and alert queries return data; an alert fires on quorum loss and clears
        new PrometheusMonitoring("prometheus", raft),
        new ScaleCluster("scale-raft", raft, 5),
        ScaleCluster.withOperatorKills("operator-crash-scale-up", raft, 5, 3, 0),
        ScaleCluster.withOperatorKills("operator-crash-scale-down", raft, 5, 0, 3),
        new BackupRestore("backup-restore", raft),
        new BackupRestore("backup-restore-zab", zab),
        new Beside(ScaleCluster.zab("scale-zab", "zab-s", 5)),
        // issue 12: attacks on a TLS cluster, then every certificate renewed under writes
        tls, new SecurityAttacks("security", tls),
        new CertRotation("cert-rotation", tls, java.time.Duration.ofSeconds(240)),
        new RejectInvalid(),
        new Join(),
        new DeleteClusters(List.of(raft, zab, tls)),
        new HelmInstall()));
  }

  public List<Scenario> scenarios() {
    return scenarios;
  }

  /** The scenarios that mean something on this cluster (e.g. no operator failover where it runs as a process). */
  public Journey on(dev.ballot.e2e.provider.Cluster cluster) {
    return new Journey(scenarios.stream().filter(s -> s.appliesTo(cluster)).toList());
  }

  /**
   * Runs every scenario in order on its lane, printing one line each on out as it ends; returns the results (in the
   * order they ended).
   */
  public List<ScenarioResult> run(JourneyContext ctx, PrintStream out) {
    List<ScenarioResult> results = Collections.synchronizedList(new ArrayList<>());
    ExecutorService beside = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "journey-beside");
      t.setDaemon(true);
      return t;
    });
    List<Future<?>> besideRuns = new ArrayList<>();
    try {
      for (Scenario s : scenarios) {
        if (s instanceof Beside b) {
          besideRuns.add(beside.submit(() -> results.add(runOne(b.scenario(), ctx, out))));
        } else if (s instanceof Join) {
          awaitAll(besideRuns);
        } else {
          results.add(runOne(s, ctx, out));
        }
      }
      awaitAll(besideRuns);
    } finally {
      beside.shutdownNow();
    }
    return List.copyOf(results);
  }

  private static ScenarioResult runOne(Scenario s, JourneyContext ctx, PrintStream out) {
    ScenarioResult r = new ScenarioResult(s.name());
    List<String> unmet = s.needs().stream()
        .filter(n -> ctx.results().get(n) == null || !ctx.results().get(n).passed()).toList();
    long t0 = System.currentTimeMillis();
    if (!unmet.isEmpty()) {
      r.fail("needs " + String.join(",", unmet) + " which did not pass");
    } else {
      System.err.println("=== scenario " + s.name());
      try {
        s.run(ctx, r);
      } catch (Exception e) {
        e.printStackTrace();
        r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
    r.put("duration_ms", System.currentTimeMillis() - t0);
    ctx.results().put(s.name(), r);
    out.println(r.line());
    out.flush();
    return r;
  }

  /** Waits for the second lane's scenarios so far; each records its own failure, so none throws. */
  private static void awaitAll(List<Future<?>> runs) {
    for (Future<?> f : runs) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("a scenario beside the main lane threw past its result", e.getCause());
      }
    }
    runs.clear();
  }

  /** Runs {@link #scenario} on the journey's second lane, beside the main lane's next scenarios. */
  public record Beside(Scenario scenario) implements Scenario {
    @Override
    public String name() {
      return scenario.name();
    }

    @Override
    public void run(JourneyContext ctx, ScenarioResult result) throws Exception {
      scenario.run(ctx, result);
    }

    @Override
    public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
      return scenario.appliesTo(cluster);
    }

    @Override
    public List<String> needs() {
      return scenario.needs();
    }
  }

  /** Not a scenario of its own: the main lane waits here until the second lane has run everything given to it. */
  public record Join() implements Scenario {
    @Override
    public String name() {
      return "join";
    }

    @Override
    public void run(JourneyContext ctx, ScenarioResult result) {
      throw new UnsupportedOperationException("the journey waits at a Join; it never runs it");
    }
  }
}
