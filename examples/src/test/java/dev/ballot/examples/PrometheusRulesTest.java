package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/monitoring's alert rules and dashboard, checked by the real promtool (built from Prometheus' Go module
 * by e2e/tools/build-prometheus.sh; .ci/run builds it before the tests, so this never skips): the rules parse, their
 * unit tests (series that fire and series that must not) pass, and every dashboard expression is valid PromQL.
 */
class PrometheusRulesTest {
  static final Path MONITORING = RepoFiles.ROOT.resolve("deploy/monitoring");
  static final Path RULES = MONITORING.resolve("ballot-rules.yaml");
  static final Path RULE_TESTS = MONITORING.resolve("ballot-rules.test.yaml");
  static final Path DASHBOARD = MONITORING.resolve("ballot-dashboard.json");
  private static Path promtool;

  @TempDir
  Path tmp;

  /** BALLOT_PROMTOOL if set, else the cached build (instant once built). No promtool is a failure, not a skip. */
  @BeforeAll
  static void findPromtool() {
    String override = System.getenv("BALLOT_PROMTOOL");
    if (override != null && !override.isBlank()) {
      promtool = Path.of(override);
      return;
    }
    List<String> build = List.of("bash", RepoFiles.ROOT.resolve("e2e/tools/build-prometheus.sh").toString());
    Tools.Run run = Tools.run(build, RepoFiles.ROOT, 3600);
    assertThat(run.exitCode()).as("building promtool: " + run.describe(build)).isZero();
    promtool = Path.of(run.stdout().strip(), "promtool");
    assertThat(promtool).as("e2e/tools/build-prometheus.sh printed " + run.stdout()).isExecutable();
  }

  private static Tools.Run promtool(String... args) {
    List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
    cmd.addAll(List.of(args));
    return Tools.run(cmd, MONITORING, 300);
  }

  @Test
  void theRulesPassPromtoolCheck() {
    Tools.Run run = promtool("check", "rules", "--lint-fatal", RULES.toString());
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout()).contains("SUCCESS: " + alerts().size() + " rules found");
  }

  @Test
  void theRulesUnitTestsPass() {
    Tools.Run run = promtool("test", "rules", RULE_TESTS.toString());
    assertThat(run.exitCode()).as("promtool test rules " + RULE_TESTS + ":\n" + run.stdout() + run.stderr()).isZero();
    assertThat(run.stdout()).contains("SUCCESS");
  }

  /** The unit tests mean something only if each alert has a case that fires it and one where it stays quiet. */
  @Test
  @SuppressWarnings("unchecked")
  void everyAlertHasAUnitTestThatFiresAndOneThatDoesNot() {
    Set<String> fires = new LinkedHashSet<>();
    Set<String> quiet = new LinkedHashSet<>();
    for (Object t : RepoFiles.asList(RepoFiles.single(RULE_TESTS).get("tests"), "tests")) {
      for (Object c : RepoFiles.asList(((Map<String, Object>) t).get("alert_rule_test"), "alert_rule_test")) {
        Map<String, Object> check = (Map<String, Object>) c;
        List<Object> expected = RepoFiles.asList(check.get("exp_alerts"), "exp_alerts");
        (expected.isEmpty() ? quiet : fires).add((String) check.get("alertname"));
      }
    }
    assertThat(fires).as("alerts with a firing unit test").containsAll(alerts());
    assertThat(quiet).as("alerts with a quiet unit test").containsAll(alerts());
  }

  /** The PrometheusRule in deploy/monitoring and the chart's copy carry exactly the groups promtool checked. */
  @Test
  void thePrometheusRuleAndTheChartCarryTheSameRules() {
    Map<String, Object> rule = RepoFiles.single(MONITORING.resolve("prometheusrule.yaml"));
    assertThat(rule.get("spec")).as("deploy/monitoring/prometheusrule.yaml's spec vs ballot-rules.yaml")
        .isEqualTo(RepoFiles.single(RULES));
    Path chartFiles = RepoFiles.ROOT.resolve("deploy/helm/ballot-operator/files");
    for (Path p : List.of(RULES, DASHBOARD)) {
      assertThat(RepoFiles.read(chartFiles.resolve(p.getFileName().toString())))
          .as("the chart's copy is stale: cp %s %s/", RepoFiles.ROOT.relativize(p), RepoFiles.ROOT.relativize(chartFiles))
          .isEqualTo(RepoFiles.read(p));
    }
  }

  /** Each panel expression (Grafana's variables set to "all") as a recording rule: promtool parses every one. */
  @Test
  void everyDashboardExpressionIsValidPromQl() throws Exception {
    List<String> exprs = DashboardQueries.expressions(DASHBOARD);
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(15);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      rules.append("      - record: ballot:dashboard_panel_").append(i).append('\n')
          .append("        expr: '").append(exprs.get(i).replace("'", "''")).append("'\n");
    }
    Path file = tmp.resolve("dashboard-rules.yaml");
    Files.writeString(file, rules);
    Tools.Run run = promtool("check", "rules", file.toString());
    assertThat(run.exitCode()).as(run.stdout() + run.stderr() + "\n" + rules).isZero();
  }

  @SuppressWarnings("unchecked")
  static List<String> alerts() {
    List<String> out = new ArrayList<>();
    for (Object g : RepoFiles.asList(RepoFiles.single(RULES).get("groups"), "groups")) {
      for (Object r : RepoFiles.asList(((Map<String, Object>) g).get("rules"), "rules")) {
        out.add((String) ((Map<String, Object>) r).get("alert"));
      }
    }
    return out;
  }
}
