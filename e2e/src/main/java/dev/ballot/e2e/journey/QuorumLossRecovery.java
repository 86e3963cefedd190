package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Event;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Issue 16's quorum-loss recovery as an SRE meets it: a cluster with data permanently loses every voter but its leader
 * ({@code kubectl delete pvc} and {@code kubectl delete pod} of each): they come back empty, refuse to vote,
 * and the cluster has no quorum (no leader, not Ready). {@code kubectl annotate ... ballot.dev/recover-quorum-from=<the
 * survivor>} makes the operator rebuild the cluster from the survivor's data; it passes when the cluster is Ready again
 * with all its voters, every key written before the loss reads back, and a Warning Event {@code QuorumRecovery} names
 * the index kept, as {@code status.recovery} does.
 */
public final class QuorumLossRecovery extends OnCreatedCluster {
  public QuorumLossRecovery(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    String ns = ctx.namespace();
    Optional<JourneyContext.LeaderView> before = readyLeader(ctx, r, "before the loss");
    if (before.isEmpty()) {
      return;
    }
    String kept = before.get().leader();
    // Every other voter is lost (a learner/observer keeps its data: it never votes).
    List<String> voters = ((List<Map<String, Object>>) status(ctx, ec).getOrDefault("members", List.of())).stream()
        .filter(m -> Boolean.TRUE.equals(m.get("voter"))).map(m -> String.valueOf(m.get("name"))).sorted().toList();
    List<String> lost = voters.stream().filter(n -> !n.equals(kept)).toList();
    r.put("kept_member", kept).put("voters", voters.size());

    // Data first: every acknowledged write is on the leader, the member kept.
    List<InetSocketAddress> members = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> members,
        Duration.ofSeconds(120)).start();
    long until = System.currentTimeMillis() + 60_000;
    while (writer.ackedCount() < 200 && System.currentTimeMillis() < until) {
      Thread.sleep(100); // bounded: 200 writes or 60 s
    }
    writer.stopAndJoin();
    int written = writer.ackedCount();
    if (!r.check(written > 0, "no write was acknowledged before the loss")) {
      return;
    }

    long lossAt = System.currentTimeMillis();
    for (String m : lost) {
      Kubectl.Result delClaim = ctx.kubectl().run("delete", "pvc", "data-" + m, "-n", ns, "--wait=false");
      Kubectl.Result delPod = ctx.kubectl().run("delete", "pod", m, "-n", ns, "--wait=false");
      if (!r.check(delClaim.ok() && delPod.ok(), "deleting the claim and pod of " + m + " failed: " + delClaim + " "
          + delPod)) {
        return;
      }
    }
    // Quorum lost: both came back empty and refuse to vote, and no leader is reported.
    boolean quorumLost = false;
    long deadline = lossAt + 300_000;
    String last = "";
    while (System.currentTimeMillis() < deadline && !quorumLost) {
      Map<String, Object> status = status(ctx, ec);
      List<Map<String, Object>> ms = (List<Map<String, Object>>) status.getOrDefault("members", List.of());
      long empty = ms.stream().filter(m -> lost.contains(m.get("name")) && Boolean.TRUE.equals(m.get("needsReplacement")))
          .count();
      quorumLost = empty == lost.size() && (status.get("leader") == null || "".equals(status.get("leader")))
          && !conditionTrue(status, "Ready");
      last = "leader=" + status.get("leader") + " needsReplacement=" + empty + "/" + lost.size();
      if (!quorumLost) {
        Thread.sleep(500);
      }
    }
    r.put("quorum_lost_ms", quorumLost ? System.currentTimeMillis() - lossAt : -1);
    if (!r.check(quorumLost, "the quorum was not seen lost within 300 s (both lost members needing replacement,"
        + " no leader, not Ready): " + last)) {
      return;
    }

    long askedAt = System.currentTimeMillis();
    Kubectl.Result annotated = ctx.kubectl().run("annotate", "-n", ns, "electioncluster/" + ec,
        "ballot.dev/recover-quorum-from=" + kept, "--overwrite");
    if (!r.check(annotated.ok(), "annotating failed: " + annotated)) {
      return;
    }
    // Recovered: the action is Done, then the replacement re-adds both; Ready with 3 ready voters.
    String phase = null;
    long doneAt = -1;
    boolean ready = false;
    deadline = askedAt + 600_000;
    while (System.currentTimeMillis() < deadline && !ready) {
      Map<String, Object> status = status(ctx, ec);
      Map<String, Object> action = ((List<Map<String, Object>>) status.getOrDefault("actions", List.of())).stream()
          .filter(a -> "recover-quorum-from".equals(a.get("name"))).findFirst().orElse(Map.of());
      phase = (String) action.get("phase");
      if ("Done".equals(phase) && doneAt < 0) {
        doneAt = System.currentTimeMillis();
      }
      if ("Refused".equals(phase) || "Failed".equals(phase)) {
        r.fail("the recovery was " + phase + ": " + action.get("reason") + ": " + action.get("message"));
        return;
      }
      List<Map<String, Object>> ms = (List<Map<String, Object>>) status.getOrDefault("members", List.of());
      long readyVoters = ms.stream().filter(m -> Boolean.TRUE.equals(m.get("voter")) && Boolean.TRUE.equals(m.get("ready"))
          && !Boolean.TRUE.equals(m.get("needsReplacement"))).count();
      ready = doneAt > 0 && conditionTrue(status, "Ready") && readyVoters == voters.size();
      last = "phase=" + phase + " leader=" + status.get("leader") + " readyVoters=" + readyVoters + " reconciling="
          + conditionMessage(status, "Reconciling");
      if (!ready) {
        Thread.sleep(500);
      }
    }
    r.put("recovered_ms", doneAt < 0 ? -1 : doneAt - askedAt).put("ready_ms", ready ? System.currentTimeMillis() - askedAt : -1);
    if (!r.check(ready, "not Ready with " + voters.size() + " voters within 600 s of the annotation: " + last)) {
      return;
    }
    List<String> missing = writer.verify(ctx.clientAddresses(ec));
    Optional<Event> warning = ctx.operatorEvents(ec, "QuorumRecovery", askedAt).stream()
        .filter(e -> "Warning".equals(e.getType())).findFirst();
    String keptIndex = warning.map(e -> e.getMessage().replaceAll(".*up to index (\\d+).*", "$1")).orElse("?");
    r.put("keys_written", written).put("keys_kept", written - missing.size()).put("keys_lost", missing.size())
        .put("kept_index", keptIndex).put("warning_event", warning.isPresent());
    r.check(missing.isEmpty(), "keys written before the loss are missing: "
        + String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
    r.check(warning.isPresent(), "no Warning Event QuorumRecovery naming the kept index");
    // status.recovery says the same as the Event, and stays after the Event has aged out
    Map<String, Object> recovery = (Map<String, Object>) status(ctx, ec).getOrDefault("recovery", Map.of());
    boolean recorded = kept.equals(recovery.get("member")) && String.valueOf(recovery.get("keptIndex")).equals(keptIndex)
        && String.valueOf(recovery.get("mayHaveLost")).contains("after index " + keptIndex);
    r.put("status_recovery", recorded);
    r.check(recorded, "status.recovery does not name " + kept + " and index " + keptIndex + ": " + recovery);
  }

  /** The ElectionCluster's status as the API server has it (empty while it is busy or has none). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> status(JourneyContext ctx, String ec) {
    try {
      return ctx.electionCluster(ec).map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status"))
          .filter(Objects::nonNull).orElse(Map.of());
    } catch (RuntimeException e) {
      return Map.of(); // the API server is busy: look again
    }
  }

  @SuppressWarnings("unchecked")
  private static boolean conditionTrue(Map<String, Object> status, String type) {
    return ((List<Map<String, Object>>) status.getOrDefault("conditions", List.of())).stream()
        .anyMatch(c -> type.equals(c.get("type")) && "True".equals(c.get("status")));
  }

  /** "status/message" of that condition, or "-" without one. */
  @SuppressWarnings("unchecked")
  static String conditionMessage(Map<String, Object> status, String type) {
    return ((List<Map<String, Object>>) status.getOrDefault("conditions", List.of())).stream()
        .filter(c -> type.equals(c.get("type"))).map(c -> c.get("status") + "/" + c.get("message")).findFirst()
        .orElse("-");
  }
}
