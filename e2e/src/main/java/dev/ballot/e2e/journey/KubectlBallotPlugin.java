package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballot.backup.VersityGw;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl ballot} as an on-call engineer runs it: the plugin found by kubectl on PATH (the build's
 * kubectl-plugin/target/kubectl-ballot and its jar), the kubeconfig in $KUBECONFIG. Every subcommand against the
 * live cluster, with its exit code: status (text and json), transfer-leadership to a named follower (that member
 * must lead after), restart of a follower (its pod must be a new one after), the same request id asked again (only
 * reads its answer), replace of the leader (it must vote again on a new claim in a new pod), backup (exit 1 without
 * spec.backup; with it, against a real S3 server, a new object in status.backup; exit 4 with a too short --timeout,
 * then the same request id waits for that backup's answer), and refusals (exit 2): an unknown member for a transfer
 * and a replace, a restart while the cluster is paused. The second run must map the class-data archive the launcher
 * made on the first (docs/kubectl-plugin.md, "Start-up").
 */
public final class KubectlBallotPlugin extends OnCreatedCluster {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** kubectl ballot's exit code when the operator refused an action: nothing was done (docs/kubectl-plugin.md). */
  private static final int REFUSED_EXIT = 2;

  public KubectlBallotPlugin(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  record Run(int exit, String out, String err, long ms) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    Path launcher = ctx.repo().resolve("kubectl-plugin/target/kubectl-ballot");
    if (!r.check(Files.isExecutable(launcher), launcher + " is missing: build it with mvn -pl kubectl-plugin -am"
        + " package")) {
      return;
    }
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    if (!r.check(ready.ok(), "the cluster is not Ready before the scenario: " + ready)) {
      return;
    }

    Run status = ballot(ctx, 60, "status", ec, "-n", ctx.namespace());
    r.put("status_exit", status.exit()).put("status_ms", status.ms());
    r.check(status.exit() == 0, "status failed: " + status);
    r.check(status.out().contains("Leader:   " + ec + "-") && status.out().contains("MEMBER")
        && status.out().contains("CONDITION"), "status did not print the leader, members and conditions: " + status);

    // the first run left a class-data archive (the launcher's); this one must map it, and its JSON stay clean
    Path classLog = Files.createTempFile("kubectl-ballot-classes", ".log");
    Run statusJson = ballot(ctx, 60, Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLog), "status",
        ec, "-n", ctx.namespace(), "-o", "json");
    long archived;
    try (var lines = Files.lines(classLog)) {
      archived = lines.filter(l -> l.contains("source: shared objects file (top)")).count();
    }
    Files.deleteIfExists(classLog);
    r.put("status_json_exit", statusJson.exit()).put("status_json_ms", statusJson.ms()).put("cds_classes", archived);
    r.check(archived > 1000, "the second kubectl ballot run mapped " + archived + " classes from the launcher's"
        + " class-data archive (kubectl-plugin/src/main/bin/kubectl-ballot, ~/.cache/ballot/kubectl-ballot-*.jsa)");
    JsonNode view = parse(statusJson.out());
    String leader = view == null ? null : view.path("status").path("leader").asText(null);
    r.check(statusJson.exit() == 0 && leader != null, "status -o json gave no status.leader: " + statusJson);
    if (leader == null) {
      return;
    }
    String to = null;
    for (JsonNode m : view.path("status").path("members")) {
      if (m.path("voter").asBoolean() && !leader.equals(m.path("name").asText())) {
        to = m.path("name").asText();
        break;
      }
    }
    if (!r.check(to != null, "no follower to hand leadership to in " + view)) {
      return;
    }

    Run transfer = ballot(ctx, 120, "transfer-leadership", ec, "--to", to, "-n", ctx.namespace());
    String now = ctx.leader(ec).map(JourneyContext.LeaderView::leader).orElse(null);
    r.put("transfer_exit", transfer.exit()).put("transfer_ms", transfer.ms()).put("transfer_from", leader)
        .put("transfer_to", to).put("leader_after", now);
    r.check(transfer.exit() == 0, "transfer-leadership --to " + to + " failed: " + transfer);
    r.check(to.equals(now), "after transfer-leadership --to " + to + " the leader is " + now);

    // restart a follower (the old leader, now following): its pod must be a new one. The operator refuses a restart
    // while another voter lags (QuorumAtRisk), as it should; right after the transfer, under the journey's writes, one
    // may still be catching up, so wait (as an operator of the cluster would) until status shows every voter caught up.
    // A voter can fall behind again between that look and the operator's (CI measured one 1,898 entries behind seconds
    // after all were caught up): a refusal (exit 2) did nothing, so ask again once all are caught up, at most 3 times.
    r.put("caught_up_before_restart_ms", waitAllCaughtUp(ctx, ec, 60_000));
    String member = leader;
    String uidBefore = uid(ctx, member);
    Run restart = ballot(ctx, 420, "restart", ec, member, "-n", ctx.namespace(), "-o", "json");
    int refusals = 0;
    while (restart.exit() == REFUSED_EXIT && refusals < 2 && restart.out().contains("QuorumAtRisk")) {
      refusals++;
      System.err.println("kubectl-ballot: restart refused while a voter lagged (" + refusals + "); asking again once"
          + " every voter is caught up");
      waitAllCaughtUp(ctx, ec, 60_000);
      restart = ballot(ctx, 420, "restart", ec, member, "-n", ctx.namespace(), "-o", "json");
    }
    r.put("restart_refused_lagging", refusals);
    JsonNode restarted = parse(restart.out());
    String uidAfter = uid(ctx, member);
    r.put("restart_exit", restart.exit()).put("restart_ms", restart.ms()).put("restart_member", member)
        .put("restart_phase", restarted == null ? null : restarted.path("status").path("phase").asText(null));
    r.check(restart.exit() == 0, "restart " + member + " failed: " + restart);
    r.check(uidBefore != null && uidAfter != null && !uidBefore.equals(uidAfter),
        "restart " + member + " left pod uid " + uidBefore + " -> " + uidAfter);

    // the same request id again: already answered, nothing runs twice
    String id = restarted == null ? null : restarted.path("requestId").asText(null);
    if (id != null) {
      Run again = ballot(ctx, 60, "restart", ec, member, "--request-id", id, "-n", ctx.namespace());
      r.put("repeat_exit", again.exit()).put("repeat_ms", again.ms());
      r.check(again.exit() == 0 && uidAfter.equals(uid(ctx, member)),
          "repeating request " + id + " restarted " + member + " again or failed: " + again);
    }

    replace(ctx, r, ec);
    backup(ctx, r, ec);

    Run unknown = ballot(ctx, 60, "transfer-leadership", ec, "--to", ec + "-99", "-n", ctx.namespace());
    r.put("refused_exit", unknown.exit());
    r.check(unknown.exit() == 2 && unknown.out().contains("Refused (UnknownMember)"),
        "transfer to an unknown member was not refused with exit 2: " + unknown);

    Kubectl.Result pause = ctx.kubectl().run("patch", "electioncluster", ec, "-n", ctx.namespace(), "--type", "merge",
        "-p", "{\"spec\":{\"paused\":true}}");
    r.check(pause.ok(), "could not pause: " + pause);
    try {
      RollingUpdate.await(java.time.Duration.ofSeconds(60), () -> "Paused".equals(phase(ctx, ec)));
      Run paused = ballot(ctx, 60, "restart", ec, to, "-n", ctx.namespace());
      r.put("paused_refused_exit", paused.exit());
      r.check(paused.exit() == 2 && paused.out().contains("Refused (Paused)"),
          "a restart while paused was not refused with exit 2: " + paused);
    } finally {
      Kubectl.Result resume = ctx.kubectl().run("patch", "electioncluster", ec, "-n", ctx.namespace(), "--type",
          "merge", "-p", "{\"spec\":{\"paused\":false}}");
      r.check(resume.ok(), "could not resume: " + resume);
    }
    Kubectl.Result after = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    r.check(after.ok(), "the cluster is not Ready after the scenario: " + after);
  }

  /** Replaces the leader: leadership moves off it, it comes back on a new claim in a new pod and votes again. */
  private static void replace(JourneyContext ctx, ScenarioResult r, String ec) throws Exception {
    String ns = ctx.namespace();
    String member = ctx.leader(ec).map(JourneyContext.LeaderView::leader).orElse(null);
    if (!r.check(member != null, "no leader to replace")) {
      return;
    }
    String claimBefore = claimUid(ctx, "data-" + member);
    String podBefore = uid(ctx, member);
    Run replace = ballot(ctx, 900, "replace", ec, member, "-n", ns, "-o", "json");
    JsonNode answer = parse(replace.out());
    String claimAfter = claimUid(ctx, "data-" + member);
    String podAfter = uid(ctx, member);
    r.put("replace_exit", replace.exit()).put("replace_ms", replace.ms()).put("replace_member", member)
        .put("replace_phase", answer == null ? null : answer.path("status").path("phase").asText(null));
    r.check(replace.exit() == 0, "replace " + member + " failed: " + replace);
    r.check(claimBefore != null && claimAfter != null && !claimBefore.equals(claimAfter),
        "replace " + member + " left claim data-" + member + " uid " + claimBefore + " -> " + claimAfter);
    r.check(podBefore != null && podAfter != null && !podBefore.equals(podAfter),
        "replace " + member + " left pod uid " + podBefore + " -> " + podAfter);
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ns, "--for=condition=Ready", "electioncluster/" + ec,
        "--timeout=180s");
    r.check(ready.ok(), "the cluster is not Ready after the replace: " + ready);
    JsonNode view = parse(ballot(ctx, 60, "status", ec, "-n", ns, "-o", "json").out());
    boolean voter = false;
    for (JsonNode m : view == null ? JSON.createArrayNode() : view.path("status").path("members")) {
      voter |= member.equals(m.path("name").asText()) && m.path("voter").asBoolean();
    }
    r.put("replaced_voter", voter);
    r.check(voter, member + " is not a voter after the replace: " + view);

    Run unknown = ballot(ctx, 60, "replace", ec, ec + "-99", "-n", ns);
    r.put("replace_refused_exit", unknown.exit());
    r.check(unknown.exit() == 2 && unknown.out().contains("Refused (UnknownMember)"),
        "replace of an unknown member was not refused with exit 2: " + unknown);
  }

  /**
   * backup: refused by the plugin without spec.backup (exit 1), then against a real S3 server (versitygw, where the
   * operator reaches this machine): a new object in status.backup (exit 0), the same request again only reads its
   * answer, and a --timeout too short for any answer exits 4.
   */
  private static void backup(JourneyContext ctx, ScenarioResult r, String ec) throws Exception {
    String ns = ctx.namespace();
    Run none = ballot(ctx, 60, "backup", ec, "-n", ns);
    r.put("backup_without_spec_exit", none.exit());
    r.check(none.exit() == 1 && none.err().contains("has no spec.backup"),
        "backup of a cluster without spec.backup did not exit 1: " + none);
    try (VersityGw gw = VersityGw.start(ctx.cluster().hostAddressForOperator())) {
      gw.createBucket(BackupRestore.BUCKET);
      ctx.cluster().admin().secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata()
          .withName(BackupRestore.SECRET).endMetadata()
          .addToStringData("accessKeyId", VersityGw.CREDENTIALS.accessKeyId())
          .addToStringData("secretAccessKey", VersityGw.CREDENTIALS.secretAccessKey()).build()).serverSideApply();
      Kubectl.Result spec = ctx.kubectl().run("patch", "electioncluster", ec, "-n", ns, "--type=merge", "-p",
          "{\"spec\":{\"backup\":{\"s3\":{\"bucket\":\"" + BackupRestore.BUCKET + "\",\"prefix\":\"kubectl\","
              + "\"endpoint\":\"" + gw.endpoint() + "\",\"forcePathStyle\":true,\"credentialsSecret\":\""
              + BackupRestore.SECRET + "\"}}}}");
      if (!r.check(spec.ok(), "could not set spec.backup: " + spec)) {
        return;
      }
      try {
        Run backup = ballot(ctx, 300, "backup", ec, "-n", ns, "-o", "json");
        JsonNode answer = parse(backup.out());
        JsonNode status = answer == null ? JSON.missingNode() : answer.path("status");
        r.put("backup_exit", backup.exit()).put("backup_ms", backup.ms())
            .put("backup_bytes", status.path("lastSize").asLong(-1)).put("backup_index", status.path("lastIndex")
                .asLong(-1));
        r.check(backup.exit() == 0 && status.path("lastObject").asText("").contains("kubectl/" + ns + "/" + ec
            + "/"), "backup failed or named no object: " + backup);
        String id = answer == null ? null : answer.path("requestId").asText(null);
        if (id != null) {
          Run again = ballot(ctx, 60, "backup", ec, "--request-id", id, "-n", ns, "-o", "json");
          JsonNode second = parse(again.out());
          r.put("backup_repeat_exit", again.exit());
          r.check(again.exit() == 0 && second != null && status.path("lastSuccessTime").equals(
              second.path("status").path("lastSuccessTime")), "the same backup request again took another backup"
              + " or failed: " + again);
        }
        Run hurried = ballot(ctx, 60, "backup", ec, "--timeout", "1ms", "-n", ns, "-o", "json");
        JsonNode late = parse(hurried.out());
        r.put("backup_timeout_exit", hurried.exit());
        r.check(hurried.exit() == 4, "backup --timeout 1ms did not exit 4: " + hurried);
        String lateId = late == null ? null : late.path("requestId").asText(null);
        if (lateId != null) {
          Run waited = ballot(ctx, 300, "backup", ec, "--request-id", lateId, "-n", ns);
          r.put("backup_waited_exit", waited.exit());
          r.check(waited.exit() == 0 && waited.out().contains("Done: "), "waiting for backup request " + lateId
              + " did not end Done: " + waited);
        }
      } finally {
        Kubectl.Result off = ctx.kubectl().run("patch", "electioncluster", ec, "-n", ns, "--type=merge", "-p",
            "{\"spec\":{\"backup\":null}}");
        r.check(off.ok(), "could not remove spec.backup: " + off);
      }
    }
  }

  private static String claimUid(JourneyContext ctx, String claim) {
    PersistentVolumeClaim c = ctx.cluster().admin().persistentVolumeClaims().inNamespace(ctx.namespace())
        .withName(claim).get();
    return c == null ? null : c.getMetadata().getUid();
  }

  /** Runs {@code kubectl ballot args...} with the build's plugin first on PATH. */
  static Run ballot(JourneyContext ctx, long timeoutSeconds, String... args) throws Exception {
    return ballot(ctx, timeoutSeconds, Map.of(), args);
  }

  /** As {@link #ballot(JourneyContext, long, String...)}, with {@code extraEnv} in the plugin's environment. */
  static Run ballot(JourneyContext ctx, long timeoutSeconds, Map<String, String> extraEnv, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kubectl", "ballot"));
    cmd.addAll(List.of(args));
    System.err.println("$ " + String.join(" ", cmd));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.putAll(extraEnv);
    env.put("KUBECONFIG", ctx.kubectl().kubeconfig().toString());
    env.put("PATH", ctx.repo().resolve("kubectl-plugin/target") + ":" + env.getOrDefault("PATH", ""));
    long t0 = System.currentTimeMillis();
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(-1, out.getNow(""), "timed out after " + timeoutSeconds + " s", System.currentTimeMillis() - t0);
    }
    Run run = new Run(p.exitValue(), out.get(), err.get(), System.currentTimeMillis() - t0);
    System.err.print(run.out());
    System.err.print(run.err());
    return run;
  }

  private static String read(InputStream in) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static String uid(JourneyContext ctx, String pod) {
    Pod p = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(pod).get();
    return p == null ? null : p.getMetadata().getUid();
  }

  @SuppressWarnings("unchecked")
  private static String phase(JourneyContext ctx, String ec) {
    return ctx.electionCluster(ec).map(c -> (Map<String, Object>) c.getAdditionalProperties().get("status"))
        .map(s -> String.valueOf(s.get("phase"))).orElse(null);
  }

  /**
   * Waits until every member in status.members reports a lag of at most {@code MAX_LAG} entries (the operator's gate
   * for a restart); returns the ms it took, or -1 when the deadline passed (the restart then shows the refusal).
   */
  private static long waitAllCaughtUp(JourneyContext ctx, String ec, long deadlineMs) throws InterruptedException {
    long t0 = System.currentTimeMillis();
    while (System.currentTimeMillis() - t0 < deadlineMs) {
      Kubectl.Result lags = ctx.kubectl().runQuiet("get", "electioncluster", ec, "-n", ctx.namespace(), "-o",
          "jsonpath={.status.members[*].lag}");
      String out = lags.out() == null ? "" : lags.out().trim();
      if (lags.ok() && !out.isEmpty()
          && java.util.Arrays.stream(out.split("\\s+")).allMatch(l -> Long.parseLong(l) <= MAX_LAG)) {
        return System.currentTimeMillis() - t0;
      }
      Thread.sleep(500);
    }
    return -1;
  }

  /** The operator's restart gate: every other voter at most this many entries behind (docs/operator.md). */
  private static final long MAX_LAG = 100;
}
