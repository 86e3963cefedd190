package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A client keeps writing while the leader's process is killed with SIGKILL. Measures how long until the
 * ElectionCluster's status names a new leader with a higher term, then reads back every acknowledged write
 * (acked_lost must be 0).
 * <ul>
 *   <li>status_lag_ms: from the kill command to when the API server stored that status (its audit log, to the
 *       microsecond; where the provider keeps none, when this harness saw it: status_lag_from says which);</li>
 *   <li>status_seen_ms: when a watch on the resource, or a 20 ms poll where the watch is late, first showed it
 *       here;</li>
 *   <li>engine_elected_ms: when the new leader says it was elected (its leaderSince), whatever the polls cost;
 *       engine_lag_ms: when a poll of the members first saw it;</li>
 *   <li>operator_lag_ms: status stored minus the election, the operator's share: hearing of the new leader,
 *       its reconciles and status writes.</li>
 * </ul>
 * The operator's share is held to {@value #OPERATOR_LAG_BUDGET_MS} ms. The whole lag, which also holds the kill
 * command's own start, the engine's election (held to its own bounds by the bench and the frozen-leader tests) and
 * the scheduling of a busy machine, is held to {@value #STATUS_LAG_BUDGET_MS} ms.
 */
public final class LeaderFailover extends OnLeaderOfCreatedCluster {
  static final long OPERATOR_LAG_BUDGET_MS = 1_000;
  static final long STATUS_LAG_BUDGET_MS = 2_000;

  public LeaderFailover(String scenario, CreateCluster created) {
    super(scenario, created, "before the fault");
  }

  @Override
  void run(JourneyContext ctx, ScenarioResult r, String ec, LeaderPod before) throws Exception {
    List<InetSocketAddress> members = ctx.memberAddresses(ec);
    List<InetSocketAddress> clients = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> clients, Duration.ofSeconds(60)).start();
    // writes flowing before the fault: at least 1 s of them, and at least one acknowledged (a cold JVM in a real
    // container on a busy machine can take longer than 1 s for its first writes)
    Thread.sleep(1_000);
    RollingUpdate.await(Duration.ofSeconds(20), () -> writer.ackedCount() > 0);
    int ackedBeforeKill = writer.ackedCount();
    // When the API server published the new leader: a watch sees it at once; the poll beside it is the fallback
    CompletableFuture<java.util.Map.Entry<Long, JourneyContext.LeaderView>> watched = new CompletableFuture<>();
    io.fabric8.kubernetes.client.Watch statusWatch = ctx.watchLeader(ec, before.term(), watched);
    long killedAt = System.currentTimeMillis();
    CompletableFuture<MemberWatch.NewLeader> engineLag =
        new MemberWatch().newLeaderTimesAsync(members, before.term(), killedAt, killedAt + 30_000);
    String how = ctx.cluster().crash(before.pod());
    System.err.println("killed leader " + before.name() + " (term " + before.term() + "): " + how);
    long lag = -1;
    Optional<JourneyContext.LeaderView> after = Optional.empty();
    long deadline = killedAt + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (watched.isDone()) {
        after = Optional.of(watched.get().getValue());
        lag = watched.get().getKey() - killedAt;
        break;
      }
      after = ctx.leader(ec);
      // a leader of a higher term: usually another member; the restarted old leader may also win it back
      if (after.isPresent() && after.get().term() > before.term()) {
        long polled = System.currentTimeMillis();
        lag = (watched.isDone() ? Math.min(polled, watched.get().getKey()) : polled) - killedAt;
        break;
      }
      Thread.sleep(20);
    }
    statusWatch.close();
    // keep writing under the new leader until it acknowledged one (a ZooKeeper client first moves its session to
    // another member; on a busy machine that can take longer than a second), then a second more
    RollingUpdate.await(Duration.ofSeconds(20), () -> writer.ackedCount() > ackedBeforeKill);
    Thread.sleep(1_000);
    writer.stopAndJoin();
    MemberWatch.NewLeader engine = engineLag.get();
    Optional<StatusAudit.Stored> stored = Optional.empty();
    Optional<java.nio.file.Path> audit = ctx.cluster().statusAuditLog();
    if (audit.isPresent() && lag >= 0) {
      stored = StatusAudit.awaitFirstNewLeader(audit.get(), ctx.namespace(), ec, before.term(),
          java.time.Instant.ofEpochMilli(killedAt), Duration.ofSeconds(10));
    }
    long statusLag = stored.map(s -> s.at().toEpochMilli() - killedAt).orElse(lag);
    long operatorLag = statusLag >= 0 && engine.electedMs() >= 0 ? statusLag - engine.electedMs() : -1;
    System.err.println("killed at " + java.time.Instant.ofEpochMilli(killedAt) + "; the status named the new leader "
        + (lag < 0 ? "never" : "here at " + java.time.Instant.ofEpochMilli(killedAt + lag))
        + stored.map(s -> ", stored at " + s.at()).orElse("") + "; the operator's log since:");
    OperatorLog.printReconciles(ctx, ec, 60);
    r.put("status_lag_ms", statusLag).put("status_lag_from", stored.isPresent() ? "audit" : "watch")
        .put("status_seen_ms", lag).put("operator_lag_ms", operatorLag)
        .put("engine_lag_ms", engine.seenMs()).put("engine_elected_ms", engine.electedMs()).put("old_leader", before.name()).put("old_term", before.term());
    after.ifPresent(a -> r.put("new_leader", a.leader()).put("new_term", a.term()));
    r.put("leader_moved", after.map(a -> !a.leader().equals(before.name())).orElse(false));
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    writer.stopAndCheckNoneLost(r, ctx.clientAddresses(ec));
    r.check(lag >= 0, "status named no leader with a higher term within 30 s");
    r.check(audit.isEmpty() || stored.isPresent() || lag < 0,
        "the API server's audit log " + audit.orElse(null) + " holds no status write naming the new leader");
    r.check(statusLag <= STATUS_LAG_BUDGET_MS, "status_lag_ms " + statusLag + " > " + STATUS_LAG_BUDGET_MS);
    r.check(engine.electedMs() >= 0, "no member said when it was elected (leaderSince), so the operator's share is unknown");
    r.check(operatorLag <= OPERATOR_LAG_BUDGET_MS, "operator_lag_ms " + operatorLag + " > " + OPERATOR_LAG_BUDGET_MS);
    r.check(ackedBeforeKill > 0, "no write was acknowledged before the fault");
    r.check(writer.ackedCount() > ackedBeforeKill, "no write was acknowledged after the fault");
    r.check(ready.ok(), "the cluster did not become Ready again after the restart: " + ready);
  }

  static List<String> names(List<Pod> pods) {
    List<String> out = new ArrayList<>();
    pods.forEach(p -> out.add(p.getMetadata().getName()));
    return out;
  }
}
