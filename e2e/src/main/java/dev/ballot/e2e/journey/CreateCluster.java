package dev.ballot.e2e.journey;

/**
 * Applies an example ElectionCluster and waits, with kubectl, until it is Ready and shows a leader and term; a cluster
 * being created never reports its quorum lost (the operator's QuorumLost Warning, phase Degraded: Argo CD's Degraded).
 */
public final class CreateCluster extends ScenarioAfter {
  private final String example;
  final String clusterName;

  public CreateCluster(String scenario, String example, String clusterName) {
    super(scenario, "install");
    this.example = example;
    this.clusterName = clusterName;
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    long t0 = System.currentTimeMillis();
    Kubectl k = ctx.kubectl();
    Kubectl.Result apply = k.run("apply", "-n", ctx.namespace(), "-f", ctx.repo().resolve(example).toString());
    if (!r.check(apply.ok(), "kubectl apply -f " + example + " failed: " + apply)) {
      return;
    }
    Kubectl.Result wait = k.run(330, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + clusterName, "--timeout=300s");
    r.put("ready_ms", System.currentTimeMillis() - t0);
    if (!r.check(wait.ok(), "not Ready within 300 s: " + wait)) {
      k.run("get", "-n", ctx.namespace(), "ec,sts,pods,pvc", "-o", "wide");
      return;
    }
    Kubectl.Result get = k.run("get", "ec", clusterName, "-n", ctx.namespace());
    r.check(get.ok(), "kubectl get ec failed: " + get);
    var leader = ctx.leader(clusterName);
    if (r.check(leader.isPresent(), "status names no leader and term")) {
      r.put("leader", leader.get().leader()).put("term", leader.get().term());
      r.check(get.out().contains(leader.get().leader()), "`kubectl get ec` does not show the leader " + leader.get().leader());
    }
    r.put("pods", ctx.members(clusterName).size());
    long quorumLost = ctx.operatorEvents(clusterName, "QuorumLost", t0).size();
    r.put("quorum_lost_events", quorumLost);
    r.check(quorumLost == 0, "the operator reported the quorum lost while the cluster was being created (" + quorumLost
        + " QuorumLost Warning(s)): its first quorum had not formed yet");
    // reported, not checked: a member that answered and stopped within the creation is news (a loaded machine)
    r.put("member_unreachable_events", ctx.operatorEvents(clusterName, "MemberUnreachable", t0).size());
  }
}
