package dev.ballot.e2e.journey;

import java.util.ArrayList;
import java.util.List;

/** {@code kubectl delete ec ...} and every child the operator made goes with it (owner references, GC). */
public final class DeleteClusters extends ScenarioAfter {
  private final List<CreateCluster> created;

  public DeleteClusters(List<CreateCluster> created) {
    super("delete", "install");
    this.created = created;
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    long t0 = System.currentTimeMillis();
    List<String> names = new ArrayList<>();
    for (CreateCluster c : created) {
      if (ctx.electionCluster(c.clusterName).isPresent()) {
        names.add(c.clusterName);
      }
    }
    if (!r.check(!names.isEmpty(), "no ElectionCluster to delete")) {
      return;
    }
    String selector = "app.kubernetes.io/instance in (" + String.join(",", names) + ")";
    Thread stragglers = stragglerLogs(ctx, selector, t0);
    List<String> args = new ArrayList<>(List.of("delete", "-n", ctx.namespace(), "electioncluster"));
    args.addAll(names);
    args.add("--wait=true");
    args.add("--timeout=120s");
    Kubectl.Result del = ctx.kubectl().run(150, args.toArray(String[]::new));
    r.check(del.ok(), "kubectl delete failed: " + del);
    long deadline = System.currentTimeMillis() + 120_000;
    String left = "";
    while (System.currentTimeMillis() < deadline) {
      Kubectl.Result get = ctx.kubectl().run("get", "-n", ctx.namespace(), "statefulsets,services,configmaps,poddisruptionbudgets,pods",
          "-l", selector, "-o", "name");
      left = get.out().strip();
      if (get.ok() && left.isEmpty()) {
        break;
      }
      Thread.sleep(1_000);
    }
    r.put("delete_ms", System.currentTimeMillis() - t0);
    if (System.currentTimeMillis() - t0 < STRAGGLER_MS) {
      stragglers.interrupt(); // every pod went in time: nothing to look at
    }
    stragglers.join(30_000);
    r.check(left.isEmpty(), "children left after 120 s: " + left.replace('\n', ' '));
    Kubectl.Result pvcs = ctx.kubectl().run("get", "-n", ctx.namespace(), "pvc", "-l", selector, "-o", "name");
    r.put("pvcs_left", pvcs.out().strip().isEmpty() ? 0 : pvcs.out().strip().lines().count());
  }

  /** A member stops within a few seconds of SIGTERM; a pod still there this long after the delete is a straggler. */
  private static final long STRAGGLER_MS = 12_000;

  /**
   * Prints the log of every member pod still running {@link #STRAGGLER_MS} after the delete began: a member that has
   * not stopped 5 s after SIGTERM prints the close step it is in and its threads (docs/e2e.md, the 30 s deletes), and
   * the pod's log goes with the pod.
   */
  private static Thread stragglerLogs(JourneyContext ctx, String selector, long t0) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(STRAGGLER_MS); // the point in time to look at, not a wait for a condition
      } catch (InterruptedException e) {
        return;
      }
      Kubectl.Result pods = ctx.kubectl().runQuiet("get", "-n", ctx.namespace(), "pods", "-l", selector, "-o", "name");
      for (String pod : pods.out().strip().lines().filter(l -> !l.isBlank()).toList()) {
        Kubectl.Result log = ctx.kubectl().runQuiet("logs", "-n", ctx.namespace(), pod, "--tail=1500");
        System.err.println("delete: " + pod + " still there " + (System.currentTimeMillis() - t0)
            + " ms after the delete began; its log ends:");
        log.out().lines().forEach(l -> System.err.println("  " + pod + "| " + l));
      }
    }, "delete-straggler-logs");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
