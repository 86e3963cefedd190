package dev.ballot.e2e.journey;

import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A rolling update (every check of {@link RollingUpdate}) during which the operator process is SIGKILLed by its pid
 * at each new step it publishes and started again ({@link OperatorCrasher}, up to {@code kills} times): each new
 * process must pick the rollout up from what it observes, never restarting two members at once.
 */
public final class OperatorCrashRollout extends RollingUpdate {
  private final int kills;
  private volatile OperatorCrasher crasher;

  public OperatorCrashRollout(String scenario, CreateCluster created, Duration timeout, int kills) {
    super(scenario, created, timeout);
    this.kills = kills;
  }

  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return OperatorCrasher.applies(cluster);
  }

  @Override
  protected void duringRollout(JourneyContext ctx, ScenarioResult r, IntSupplier restarted) {
    crasher = new OperatorCrasher(ctx, created.clusterName, kills).start();
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    try {
      super.run(ctx, r);
    } finally {
      OperatorCrasher c = crasher;
      if (c != null) {
        List<String> killed = c.stop();
        r.put("operator_kills", killed.size()).put("killed_at", String.join("; ", killed));
        r.check(!killed.isEmpty() && c.error() == null, "the operator was not killed during the rollout"
            + (c.error() == null ? "" : ": " + c.error()));
      }
    }
  }
}
