package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code kubectl delete pod} of the leader while a client writes: the kubelet sends SIGTERM, the member hands its
 * leadership to another voter and exits inside the grace period. Measures how soon another member leads
 * ({@code handoff_ms}, from the members' own status), how soon the pod was gone ({@code pod_gone_ms}, must be under
 * the grace period: the process left on SIGTERM, it was not killed at the deadline), how soon the StatefulSet's
 * replacement pod was Ready ({@code replacement_ready_ms}: a pod's start-to-Ready time), the longest write gap, and
 * reads back every acknowledged write once the StatefulSet's replacement is Ready ({@code acked_lost} must be 0).
 */
public final class MemberPodDeleted extends OnLeaderOfCreatedCluster {
  public MemberPodDeleted(String scenario, CreateCluster created) {
    super(scenario, created, "before the deletion");
  }

  @Override
  void run(JourneyContext ctx, ScenarioResult r, String ec, LeaderPod before) throws Exception {
    String leader = before.name();
    Pod leaderPod = before.pod();
    long graceMs = 1000L * Optional.ofNullable(leaderPod.getSpec().getTerminationGracePeriodSeconds()).orElse(30L);
    String oldUid = leaderPod.getMetadata().getUid();
    List<InetSocketAddress> others = new ArrayList<>();
    for (Pod p : ctx.members(ec)) {
      if (!p.getMetadata().getName().equals(leader) && p.getStatus() != null && p.getStatus().getPodIP() != null) {
        others.add(ctx.cluster().reach(p, JourneyContext.HTTP_PORT));
      }
    }
    List<InetSocketAddress> members = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> members, Duration.ofSeconds(90)).start();
    Thread.sleep(1_000);
    int ackedBefore = writer.ackedCount();
    long deletedAt = System.currentTimeMillis();
    CompletableFuture<Long> handoff = new MemberWatch().newLeaderAsync(others, before.term(), deletedAt,
        deletedAt + graceMs + 10_000);
    Kubectl.Result del = ctx.kubectl().run("delete", "pod", leader, "-n", ctx.namespace(), "--wait=false");
    if (!r.check(del.ok(), "kubectl delete pod " + leader + " failed: " + del)) {
      writer.stopAndJoin();
      return;
    }
    long goneMs = -1;
    long deadline = deletedAt + graceMs + 15_000;
    while (System.currentTimeMillis() < deadline) {
      Pod now = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(leader).get();
      if (now == null || !oldUid.equals(now.getMetadata().getUid())) {
        goneMs = System.currentTimeMillis() - deletedAt;
        break;
      }
      Thread.sleep(50);
    }
    // the StatefulSet's replacement: a new pod of the same name, from creation to Ready (sandbox, container, JVM
    // start, readiness probe): the pod start-to-Ready time of docs/e2e.md
    long replacementReadyMs = -1;
    long replacedAt = System.currentTimeMillis();
    while (goneMs >= 0 && System.currentTimeMillis() < replacedAt + 120_000) {
      Pod now = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(leader).get();
      if (now != null && !oldUid.equals(now.getMetadata().getUid()) && RollingUpdateRecorder.ready(now)) {
        replacementReadyMs = System.currentTimeMillis() - replacedAt;
        break;
      }
      Thread.sleep(50);
    }
    long handoffMs = handoff.get();
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    writer.stopAndCheckNoneLost(r, ctx.clientAddresses(ec));
    Optional<JourneyContext.LeaderView> after = ctx.leader(ec);
    r.put("old_leader", leader).put("handoff_ms", handoffMs).put("pod_gone_ms", goneMs).put("grace_ms", graceMs)
        .put("replacement_ready_ms", replacementReadyMs);
    after.ifPresent(a -> r.put("new_leader", a.leader()).put("new_term", a.term()));
    r.check(handoffMs >= 0 && handoffMs < graceMs, "no other member led within the grace period ("
        + graceMs + " ms) after the deletion");
    r.check(goneMs >= 0 && goneMs < graceMs, "the deleted pod was not gone within its grace period (" + graceMs
        + " ms): the member did not exit on SIGTERM");
    r.check(ackedBefore > 0, "no write was acknowledged before the deletion");
    r.check(writer.ackedCount() > ackedBefore, "no write was acknowledged after the deletion");
    r.check(ready.ok(), "the cluster did not become Ready again with the replacement pod: " + ready);
  }
}
