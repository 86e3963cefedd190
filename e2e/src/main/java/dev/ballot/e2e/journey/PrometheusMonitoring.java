package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ballot.e2e.prometheus.MonitoringFiles;
import dev.ballot.e2e.prometheus.PrometheusServer;
import dev.ballot.e2e.provider.Cluster;
import dev.ballot.e2e.provider.OperatorProcess;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A real Prometheus (built from its Go module) scrapes the members of a created cluster as deploy/monitoring's
 * PodMonitor does (the pods' container port it names, its scheme and path: the plain metrics port, whatever the
 * cluster's TLS) and the operator, loads
 * deploy/monitoring's alert rules, and answers every query of deploy/monitoring's dashboard: each panel's queries
 * and each alert's series must return data for the running cluster (panels_with_data, alerts_with_data). Then a
 * majority of the members is frozen (SIGSTOP): BallotQuorumLost must fire, and clear once they are resumed.
 * Leaves prometheus/ (config, log, data, dashboard-range.json for e2e/tools/plot-dashboard.py) in the artifacts.
 */
public final class PrometheusMonitoring extends OnCreatedCluster {
  static final String QUORUM_ALERT = "BallotQuorumLost";
  /**
   * Alerts about speed and stability that an overloaded 2-core machine sets off on a cluster that is up (e2e runs
   * saw BallotLeaderFlapping at load average 60-87: the members' terms really did advance a dozen times). They are
   * reported in alerts_while_healthy; every other alert firing there fails the scenario.
   */
  static final java.util.Set<String> LOAD_SENSITIVE = java.util.Set.of("BallotLeaderFlapping", "BallotMemberLagging",
      "BallotMemberUnreachable", "BallotFsyncSlow", "BallotCommitSlow");
  private static final Duration DATA_WITHIN = Duration.ofSeconds(120);
  /** The rule's `for` is 30 s; plus scrape and evaluation intervals (2 s each) and a loaded machine. */
  private static final Duration FIRE_WITHIN = Duration.ofSeconds(100);
  private static final Duration CLEAR_WITHIN = Duration.ofSeconds(120);
  /** Client load before the fault (at least, so that the 1 m rates mean something) and after the recovery. */
  private static final Duration LOAD_BEFORE = Duration.ofSeconds(30);
  private static final Duration LOAD_AFTER = Duration.ofSeconds(20);

  public PrometheusMonitoring(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  @Override
  public boolean appliesTo(Cluster cluster) {
    return cluster.canFreeze();
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    long start = System.currentTimeMillis();
    Path bin = PrometheusServer.binaries(ctx.repo());
    Path dir = ctx.artifactsDir().resolve("prometheus");
    Files.createDirectories(dir);
    List<Pod> pods = new ArrayList<>(ctx.members(ec));
    pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
    Path members = dir.resolve("members.json");
    MonitoringFiles.MemberEndpoint endpoint = MonitoringFiles.memberEndpoint(ctx.repo());
    writeMemberTargets(ctx, ec, pods, endpoint.port(), members);
    Optional<InetSocketAddress> operator = operatorTarget(ctx);
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, config(ctx.repo().resolve(MonitoringFiles.RULES), members, operator, endpoint));
    r.put("members", pods.size()).put("operator_scraped", operator.isPresent())
        .put("members_scraped_on", "port " + endpoint.port() + " " + endpoint.scheme() + " " + endpoint.path())
        .put("tls", ctx.tls(ec));

    try (PrometheusServer prom = PrometheusServer.start(bin, config, dir, OperatorProcess.freePort(), Duration.ofSeconds(60))) {
      List<InetSocketAddress> clients = ctx.clientAddresses(ec);
      KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> clients,
          Duration.ofMinutes(5)).start();
      List<MonitoringFiles.Panel> panels = MonitoringFiles.panels(ctx.repo());
      Map<String, String> alerts = MonitoringFiles.alerts(ctx.repo());
      List<String> emptyPanels = List.of();
      List<String> emptyAlerts = List.of();
      long loadStart = System.currentTimeMillis();
      long deadline = loadStart + DATA_WITHIN.toMillis();
      long dataAt = -1;
      do {
        Thread.sleep(2_000);
        emptyPanels = panelsWithoutData(prom, panels);
        emptyAlerts = alertsWithoutData(prom, alerts);
        if (dataAt < 0 && emptyPanels.isEmpty() && emptyAlerts.isEmpty()) {
          dataAt = System.currentTimeMillis();
        }
      } while ((dataAt < 0 || System.currentTimeMillis() < loadStart + LOAD_BEFORE.toMillis())
          && System.currentTimeMillis() < deadline);
      writer.stopAndJoin();
      Map<String, String> healthy = prom.alerts();
      r.put("panels_with_data", (panels.size() - emptyPanels.size()) + "/" + panels.size())
          .put("alerts_with_data", (alerts.size() - emptyAlerts.size()) + "/" + alerts.size())
          .put("data_after_ms", dataAt < 0 ? -1 : dataAt - loadStart).put("writes_acked", writer.ackedCount())
          .put("alerts_while_healthy", names(healthy, "firing")).put("pending_while_healthy", names(healthy, "pending"));
      r.check(emptyPanels.isEmpty(), "dashboard panels without data: " + String.join("; ", emptyPanels));
      r.check(emptyAlerts.isEmpty(), "alerts whose series are missing: " + String.join("; ", emptyAlerts));
      List<String> wrongly = healthy.entrySet().stream()
          .filter(e -> e.getValue().equals("firing") && !LOAD_SENSITIVE.contains(e.getKey())).map(Map.Entry::getKey).toList();
      r.check(wrongly.isEmpty(), "alerts firing on a cluster whose members all answer: " + wrongly);

      quorumLoss(ctx, ec, pods, prom, r);
      KvWriter after = new KvWriter(name() + "-after-" + System.currentTimeMillis(), ctx.clientKv(ec), () -> clients,
          LOAD_AFTER).start();
      Thread.sleep(LOAD_AFTER.toMillis()); // a load phase for the picture (the writer stops at its own deadline)
      after.stopAndJoin();
      r.put("writes_acked_after", after.ackedCount());
      r.check(after.ackedCount() > 0, "no write was acknowledged after the members were resumed");
      saveRanges(prom, panels, start, dir.resolve("dashboard-range.json"), r);
    }
    Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
        "electioncluster/" + ec, "--timeout=180s");
    r.check(ready.ok(), "the cluster did not become Ready again after the quorum loss: " + ready);
  }

  /** Freezes the leader and one more member (a majority of 3), waits for the alert, resumes them, waits for it to clear. */
  private void quorumLoss(JourneyContext ctx, String ec, List<Pod> pods, PrometheusServer prom, ScenarioResult r)
      throws Exception {
    String leader = ctx.leader(ec).map(JourneyContext.LeaderView::leader).orElse(pods.get(0).getMetadata().getName());
    List<Pod> frozen = new ArrayList<>();
    pods.stream().filter(p -> p.getMetadata().getName().equals(leader)).forEach(frozen::add);
    pods.stream().filter(p -> !p.getMetadata().getName().equals(leader)).limit(pods.size() / 2 + 1 - frozen.size())
        .forEach(frozen::add);
    TreeSet<String> fired = new TreeSet<>();
    long frozenAt = System.currentTimeMillis();
    long firedAt = -1;
    try {
      for (Pod p : frozen) {
        System.err.println("prometheus: froze " + p.getMetadata().getName() + ": " + ctx.cluster().freeze(p, true));
      }
      while (System.currentTimeMillis() < frozenAt + FIRE_WITHIN.toMillis() && firedAt < 0) {
        Thread.sleep(1_000);
        prom.alerts().forEach((name, state) -> {
          if (state.equals("firing")) {
            fired.add(name);
          }
        });
        if (fired.contains(QUORUM_ALERT)) {
          firedAt = System.currentTimeMillis();
        }
      }
    } finally {
      for (Pod p : frozen) {
        try {
          System.err.println("prometheus: resumed " + p.getMetadata().getName() + ": " + ctx.cluster().freeze(p, false));
        } catch (Exception e) { // its liveness probe may have restarted it meanwhile: then it runs anyway
          System.err.println("prometheus: could not resume " + p.getMetadata().getName() + ": " + e.getMessage());
        }
      }
    }
    long resumedAt = System.currentTimeMillis();
    long clearedAt = -1;
    while (System.currentTimeMillis() < resumedAt + CLEAR_WITHIN.toMillis() && clearedAt < 0) {
      Thread.sleep(1_000);
      if (!prom.alerts().containsKey(QUORUM_ALERT)) {
        clearedAt = System.currentTimeMillis();
      }
    }
    // what Prometheus sees once they are back: a leader and every voter answering (the picture's last minutes)
    String recovered = "max(ballot_has_leader{ballot_cluster=\"%s\"}) == 1 and on() sum(ballot_is_voter{ballot_cluster=\"%s\"}) == %d"
        .formatted(ec, ec, pods.size());
    long recoveredAt = -1;
    while (System.currentTimeMillis() < resumedAt + CLEAR_WITHIN.toMillis() && recoveredAt < 0) {
      if (!prom.query(recovered).isEmpty()) {
        recoveredAt = System.currentTimeMillis();
      } else {
        Thread.sleep(1_000);
      }
    }
    r.put("frozen", String.join(",", frozen.stream().map(p -> p.getMetadata().getName()).toList()))
        .put("alerts_fired", fired.isEmpty() ? "none" : String.join(",", fired))
        .put("alerts_cleared", clearedAt >= 0 ? QUORUM_ALERT : "none")
        .put("fired_after_ms", firedAt < 0 ? -1 : firedAt - frozenAt)
        .put("cleared_after_ms", clearedAt < 0 ? -1 : clearedAt - resumedAt)
        .put("recovered_after_ms", recoveredAt < 0 ? -1 : recoveredAt - resumedAt);
    r.check(firedAt >= 0, QUORUM_ALERT + " did not fire within " + FIRE_WITHIN.toSeconds() + " s of freezing a majority");
    r.check(clearedAt >= 0, QUORUM_ALERT + " did not clear within " + CLEAR_WITHIN.toSeconds() + " s of resuming them");
    r.check(recoveredAt >= 0, "Prometheus saw no leader with every voter answering within " + CLEAR_WITHIN.toSeconds()
        + " s of resuming them");
  }

  /** The alerts in that state, comma-separated, or "none". */
  static String names(Map<String, String> alerts, String state) {
    List<String> out = alerts.entrySet().stream().filter(e -> e.getValue().equals(state)).map(Map.Entry::getKey).toList();
    return out.isEmpty() ? "none" : String.join(",", out);
  }

  /** Titles of panels one of whose queries returns no series, with the query. */
  static List<String> panelsWithoutData(PrometheusServer prom, List<MonitoringFiles.Panel> panels) throws Exception {
    List<String> out = new ArrayList<>();
    for (MonitoringFiles.Panel p : panels) {
      for (String q : p.queries()) {
        if (prom.query(q).isEmpty()) {
          out.add(p.title() + ": " + q);
          break;
        }
      }
    }
    return out;
  }

  /** Alerts one of whose selectors matches no series (an alert's own result is empty while it does not fire). */
  static List<String> alertsWithoutData(PrometheusServer prom, Map<String, String> alerts) throws Exception {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, String> a : alerts.entrySet()) {
      for (String selector : MonitoringFiles.selectors(prom, a.getValue())) {
        if (prom.query(selector).isEmpty()) {
          out.add(a.getKey() + ": " + selector);
          break;
        }
      }
    }
    return out;
  }

  /**
   * The members as file_sd targets at their container port named {@code portName}, labelled as the PodMonitor labels
   * them (namespace, pod, ballot_cluster).
   */
  static void writeMemberTargets(JourneyContext ctx, String ec, List<Pod> pods, String portName, Path file)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    ArrayNode groups = json.createArrayNode();
    for (Pod p : pods) {
      InetSocketAddress a = ctx.cluster().reach(p, containerPort(p, portName));
      ObjectNode g = groups.addObject();
      g.putArray("targets").add(a.getHostString() + ":" + a.getPort());
      g.putObject("labels").put("namespace", ctx.namespace()).put("pod", p.getMetadata().getName()).put("ballot_cluster", ec);
    }
    json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), groups);
  }

  /** The pod's container port named {@code portName}, as a PodMonitor resolves {@code port:}. */
  static int containerPort(Pod pod, String portName) {
    return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
        .filter(p -> portName.equals(p.getName())).findFirst()
        .orElseThrow(() -> new IllegalStateException("pod " + pod.getMetadata().getName() + " has no container port named '"
            + portName + "' (" + MonitoringFiles.POD_MONITOR + " scrapes it)"))
        .getContainerPort();
  }

  private static Optional<InetSocketAddress> operatorTarget(JourneyContext ctx) throws Exception {
    if (ctx.cluster().localOperatorMetrics().isPresent()) {
      return ctx.cluster().localOperatorMetrics();
    }
    for (Pod p : ctx.cluster().admin().pods().inNamespace(Install.OPERATOR_NS)
        .withLabel("app.kubernetes.io/name", "ballot-operator").list().getItems()) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        return Optional.of(ctx.cluster().reach(p, 8080));
      }
    }
    return Optional.empty();
  }

  /**
   * Fast intervals so that a short run has data; the same rules file, job names, and members' scheme and path as
   * deploy/monitoring. No TLS settings: the PodMonitor's port never speaks TLS, so none are needed for any cluster.
   */
  static String config(Path rules, Path members, Optional<InetSocketAddress> operator,
                       MonitoringFiles.MemberEndpoint endpoint) {
    String operatorJob = operator.map(a -> """
          - job_name: ballot-operator
            metrics_path: /q/metrics
            static_configs:
              - targets: ["%s:%d"]
        """.formatted(a.getHostString(), a.getPort())).orElse("");
    return """
        global:
          scrape_interval: 2s
          scrape_timeout: 1s
          evaluation_interval: 2s
        rule_files:
          - %s
        scrape_configs:
          - job_name: ballot-members
            scheme: %s
            metrics_path: %s
            file_sd_configs:
              - files: ["%s"]
                refresh_interval: 5s
        %s""".formatted(rules, endpoint.scheme(), endpoint.path(), members, operatorJob);
  }

  /** Every panel query over the scenario, every 2 s, for the docs' picture (e2e/tools/plot-dashboard.py). */
  private static void saveRanges(PrometheusServer prom, List<MonitoringFiles.Panel> panels, long startMs, Path out,
                                 ScenarioResult r) throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode doc = json.createObjectNode();
    doc.put("start", startMs / 1000.0).put("end", System.currentTimeMillis() / 1000.0);
    ObjectNode byPanel = doc.putObject("panels");
    for (MonitoringFiles.Panel p : panels) {
      ArrayNode queries = byPanel.putArray(p.title());
      for (String q : p.queries()) {
        JsonNode data = prom.api("query_range", "query", q, "start", Double.toString(startMs / 1000.0),
            "end", Double.toString(System.currentTimeMillis() / 1000.0), "step", "2");
        queries.add(data.path("result"));
      }
    }
    json.writeValue(out.toFile(), doc);
    r.put("ranges", out.toString());
  }
}
