package dev.ballot.e2e.journey;

/** A scenario run on the cluster an earlier scenario created; it makes sense only if that one passed. */
abstract class OnCreatedCluster extends ScenarioAfter {
  protected final CreateCluster created;

  OnCreatedCluster(String scenario, CreateCluster created) {
    super(scenario, created.name());
    this.created = created;
  }

  /**
   * Waits (up to 180 s) until the created cluster is Ready and returns its leader; empty, with {@code r} failed
   * naming {@code moment}, when it is not Ready with a leader.
   */
  protected java.util.Optional<JourneyContext.LeaderView> readyLeader(JourneyContext ctx, ScenarioResult r,
                                                                      String moment) throws Exception {
    Kubectl.Result settled = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + created.clusterName, "--timeout=180s");
    java.util.Optional<JourneyContext.LeaderView> leader = ctx.leader(created.clusterName);
    r.check(settled.ok() && leader.isPresent(), "the cluster is not Ready with a leader " + moment + ": " + settled);
    return settled.ok() ? leader : java.util.Optional.empty();
  }
}
