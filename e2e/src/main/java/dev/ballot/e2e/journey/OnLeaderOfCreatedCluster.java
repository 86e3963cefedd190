package dev.ballot.e2e.journey;

import java.util.Optional;

/**
 * A scenario that does something to the leader of the cluster an earlier scenario created: it starts by finding
 * the leader's pod ({@link LeaderPod#find}), and does not run at all (the check fails) when there is none.
 */
abstract class OnLeaderOfCreatedCluster extends OnCreatedCluster {
  /** For the failed check's message: "status names no leader " + when. */
  private final String when;

  OnLeaderOfCreatedCluster(String scenario, CreateCluster created, String when) {
    super(scenario, created);
    this.when = when;
  }

  @Override
  public final void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    Optional<LeaderPod> leader = LeaderPod.find(ctx, r, created.clusterName, when);
    if (leader.isPresent()) {
      run(ctx, r, created.clusterName, leader.get());
    }
  }

  /** The scenario proper, on cluster {@code ec} whose leader is {@code before}. */
  abstract void run(JourneyContext ctx, ScenarioResult r, String ec, LeaderPod before) throws Exception;
}
