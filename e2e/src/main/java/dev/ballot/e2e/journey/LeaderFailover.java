package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A client keeps writing while the leader's process is killed with SIGKILL. Measures how long until the
 * ElectionCluster's status names a new leader with a higher term (status_lag_ms), then reads back every
 * acknowledged write (acked_lost must be 0).
 */
public final class LeaderFailover extends OnCreatedCluster {
  static final long STATUS_LAG_BUDGET_MS = 1_000;

  public LeaderFailover(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    Optional<JourneyContext.LeaderView> before = ctx.leader(ec);
    if (!r.check(before.isPresent(), "status names no leader before the fault")) {
      return;
    }
    Pod leaderPod = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(before.get().leader()).get();
    if (!r.check(leaderPod != null, "the leader " + before.get().leader() + " is not a pod of the cluster")) {
      return;
    }
    List<InetSocketAddress> members = ctx.memberAddresses(ec);
    List<InetSocketAddress> clients = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> clients, Duration.ofSeconds(60)).start();
    // writes flowing before the fault: at least 1 s of them, and at least one acknowledged (a cold JVM in a real
    // container on a busy machine can take longer than 1 s for its first writes)
    Thread.sleep(1_000);
    RollingUpdate.await(Duration.ofSeconds(20), () -> writer.ackedCount() > 0);
    int ackedBeforeKill = writer.ackedCount();
    long killedAt = System.currentTimeMillis();
    java.util.concurrent.CompletableFuture<Long> engineLag = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new MemberWatch().awaitNewLeader(members, before.get().term(), killedAt, killedAt + 30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1L;
      }
    });
    String how = ctx.cluster().crash(leaderPod);
    System.err.println("killed leader " + before.get().leader() + " (term " + before.get().term() + "): " + how);
    long lag = -1;
    Optional<JourneyContext.LeaderView> after = Optional.empty();
    long deadline = killedAt + 30_000;
    while (System.currentTimeMillis() < deadline) {
      after = ctx.leader(ec);
      // a leader of a higher term: usually another member; the restarted old leader may also win it back
      if (after.isPresent() && after.get().term() > before.get().term()) {
        lag = System.currentTimeMillis() - killedAt;
        break;
      }
      Thread.sleep(20);
    }
    Thread.sleep(1_000); // keep writing under the new leader
    writer.stopAndJoin();
    long engine = engineLag.get();
    r.put("status_lag_ms", lag).put("engine_lag_ms", engine).put("old_leader", before.get().leader()).put("old_term", before.get().term());
    after.ifPresent(a -> r.put("new_leader", a.leader()).put("new_term", a.term()));
    r.put("leader_moved", after.map(a -> !a.leader().equals(before.get().leader())).orElse(false));
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    List<String> lost = writer.verify(ctx.clientAddresses(ec));
    r.put("writes_acked", writer.ackedCount()).put("writes_failed", writer.failures())
        .put("max_write_gap_ms", writer.maxGapMs()).put("acked_lost", lost.size());
    r.check(lag >= 0, "status named no leader with a higher term within 30 s");
    r.check(lag <= STATUS_LAG_BUDGET_MS, "status_lag_ms " + lag + " > " + STATUS_LAG_BUDGET_MS);
    r.check(ackedBeforeKill > 0, "no write was acknowledged before the fault");
    r.check(writer.ackedCount() > ackedBeforeKill, "no write was acknowledged after the fault");
    r.check(lost.isEmpty(), "acknowledged writes lost: " + String.join(", ", lost.subList(0, Math.min(5, lost.size()))));
    r.check(ready.ok(), "the cluster did not become Ready again after the restart: " + ready);
  }

  static List<String> names(List<Pod> pods) {
    List<String> out = new ArrayList<>();
    pods.forEach(p -> out.add(p.getMetadata().getName()));
    return out;
  }
}
