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
    List<String> args = new ArrayList<>(List.of("delete", "-n", ctx.namespace(), "electioncluster"));
    args.addAll(names);
    args.add("--wait=true");
    args.add("--timeout=120s");
    Kubectl.Result del = ctx.kubectl().run(150, args.toArray(String[]::new));
    r.check(del.ok(), "kubectl delete failed: " + del);
    String selector = "app.kubernetes.io/instance in (" + String.join(",", names) + ")";
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
    r.check(left.isEmpty(), "children left after 120 s: " + left.replace('\n', ' '));
    Kubectl.Result pvcs = ctx.kubectl().run("get", "-n", ctx.namespace(), "pvc", "-l", selector, "-o", "name");
    r.put("pvcs_left", pvcs.out().strip().isEmpty() ? 0 : pvcs.out().strip().lines().count());
  }
}
