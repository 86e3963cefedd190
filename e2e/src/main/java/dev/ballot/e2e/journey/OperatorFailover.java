package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * A rolling update during which the leading operator pod is deleted ({@code kubectl delete pod}) as soon as the
 * first member has restarted: the standby replica must take the Lease ({@code takeover_ms}, from the deletion
 * until another pod holds it) and finish the rollout, with every check of {@link RollingUpdate} (one member down
 * at a time, quorum never lost, no acknowledged write lost). Needs the operator in the cluster with 2 replicas.
 */
public final class OperatorFailover extends RollingUpdate {
  static final Duration TAKEOVER_DEADLINE = Duration.ofSeconds(90);

  public OperatorFailover(String scenario, CreateCluster created, Duration timeout) {
    super(scenario, created, timeout);
  }

  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return cluster.operatorMode() == dev.ballot.e2e.provider.Cluster.OperatorMode.IN_CLUSTER;
  }

  @Override
  protected void duringRollout(JourneyContext ctx, ScenarioResult r, IntSupplier restarted) throws Exception {
    if (!r.check(ctx.cluster().operatorMode() == dev.ballot.e2e.provider.Cluster.OperatorMode.IN_CLUSTER,
        "the operator does not run in the cluster on this provider (" + ctx.cluster().operatorMode() + ")")) {
      return;
    }
    Optional<String> holder = holder(ctx);
    if (!r.check(holder.isPresent(), "nobody holds the operator Lease " + Install.OPERATOR_NS + "/" + Install.OPERATOR_LEASE)) {
      return;
    }
    boolean started = RollingUpdate.await(Duration.ofSeconds(120), () -> restarted.getAsInt() >= 1);
    if (!r.check(started, "no member restarted within 120 s of the patch")) {
      return;
    }
    long t0 = System.currentTimeMillis();
    Kubectl.Result del = ctx.kubectl().run("delete", "pod", holder.get(), "-n", Install.OPERATOR_NS, "--wait=false");
    if (!r.check(del.ok(), "kubectl delete pod " + holder.get() + " failed: " + del)) {
      return;
    }
    String[] next = new String[1];
    boolean taken = RollingUpdate.await(TAKEOVER_DEADLINE, () -> {
      Optional<String> now = holder(ctx);
      if (now.isPresent() && !now.get().equals(holder.get())) {
        next[0] = now.get();
        return true;
      }
      return false;
    });
    long takeoverMs = System.currentTimeMillis() - t0;
    r.put("old_operator", holder.get()).put("takeover_ms", taken ? takeoverMs : -1)
        .put("restarted_before_failover", restarted.getAsInt());
    if (taken) {
      r.put("new_operator", next[0]);
    }
    r.check(taken, "no other operator pod took the Lease within " + TAKEOVER_DEADLINE.toSeconds() + " s");
  }

  static Optional<String> holder(JourneyContext ctx) {
    Lease lease = ctx.cluster().admin().resources(Lease.class).inNamespace(Install.OPERATOR_NS)
        .withName(Install.OPERATOR_LEASE).get();
    return Optional.ofNullable(lease).map(Lease::getSpec).map(s -> s.getHolderIdentity()).filter(h -> !h.isEmpty());
  }
}
