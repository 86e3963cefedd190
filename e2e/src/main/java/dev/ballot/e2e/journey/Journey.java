package dev.ballot.e2e.journey;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** The ordered scenarios of the user journey; rolling-update and scaling scenarios slot into {@link #standard()}. */
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
        new RollingUpdate("rolling-update-zab", zab, java.time.Duration.ofSeconds(480)),
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
        new QuorumLossRecovery("quorum-loss-recovery-zab", zab),
        // a real Prometheus: dashboard and alert queries return data; an alert fires on quorum loss and clears
        new PrometheusMonitoring("prometheus", raft),
        new ScaleCluster("scale-raft", raft, 5),
        ScaleCluster.withOperatorKills("operator-crash-scale-up", raft, 5, 3, 0),
        ScaleCluster.withOperatorKills("operator-crash-scale-down", raft, 5, 0, 3),
        new BackupRestore("backup-restore", raft),
        new BackupRestore("backup-restore-zab", zab),
        ScaleCluster.zab("scale-zab", "zab-s", 5),
        // issue 12: attacks on a TLS cluster, then every certificate renewed under writes
        tls, new SecurityAttacks("security", tls),
        new CertRotation("cert-rotation", tls, java.time.Duration.ofSeconds(240)),
        new RejectInvalid(),
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

  /** Runs every scenario in order, printing one line each on out; returns the results. */
  public List<ScenarioResult> run(JourneyContext ctx, PrintStream out) {
    List<ScenarioResult> results = new ArrayList<>();
    for (Scenario s : scenarios) {
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
      results.add(r);
      out.println(r.line());
      out.flush();
    }
    return results;
  }
}
