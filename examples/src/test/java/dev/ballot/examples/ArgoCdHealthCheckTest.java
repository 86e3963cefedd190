package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs the Argo CD health check for ballot.dev/ElectionCluster on every fixture of health_test.yaml,
 * as Argo CD's resource_customizations test does, and asserts status and message exactly.
 */
class ArgoCdHealthCheckTest {

  private static final Path CUSTOMIZATION = RepoFiles.ROOT.resolve("examples/argocd/ballot.dev/ElectionCluster");
  private static final Path SCRIPT = CUSTOMIZATION.resolve("health.lua");

  @TestFactory
  Stream<DynamicTest> everyFixtureGetsTheExpectedHealth() {
    ArgoLuaHealth health = new ArgoLuaHealth(RepoFiles.read(SCRIPT));
    return healthTests().stream().map(test -> {
      String input = (String) test.get("inputPath");
      Map<String, Object> expected = RepoFiles.asMap(test.get("healthStatus"), input + " healthStatus");
      return DynamicTest.dynamicTest(input, () -> {
        Map<String, Object> obj = RepoFiles.single(CUSTOMIZATION.resolve(input));
        ArgoLuaHealth.Result actual = health.assess(obj);
        assertThat(actual.status()).as("status for %s", input).isEqualTo(expected.get("status"));
        assertThat(actual.message()).as("message for %s", input).isEqualTo(expected.get("message"));
      });
    });
  }

  @Test
  void everyFixtureIsListedAndEveryListedFixtureExists() throws Exception {
    Set<String> listed = healthTests().stream().map(t -> (String) t.get("inputPath")).collect(Collectors.toCollection(TreeSet::new));
    Set<String> onDisk;
    try (Stream<Path> files = Files.list(CUSTOMIZATION.resolve("testdata"))) {
      onDisk = files.map(p -> "testdata/" + p.getFileName()).collect(Collectors.toCollection(TreeSet::new));
    }
    assertThat(listed).isEqualTo(onDisk);
  }

  @Test
  void fixturesCoverTheCasesArgoUsersMeet() {
    Map<String, String> statusByInput = healthTests().stream().collect(Collectors.toMap(
        t -> (String) t.get("inputPath"),
        t -> (String) RepoFiles.asMap(t.get("healthStatus"), "healthStatus").get("status")));
    assertThat(statusByInput).containsEntry("testdata/healthy.yaml", "Healthy")
        .containsEntry("testdata/no_status.yaml", "Progressing")
        .containsEntry("testdata/progressing_rolling_update.yaml", "Progressing")
        .containsEntry("testdata/progressing_stale_generation.yaml", "Progressing")
        .containsEntry("testdata/degraded_quorum_lost.yaml", "Degraded")
        .containsEntry("testdata/degraded_stalled.yaml", "Degraded");
  }

  @Test
  void theRollingUpdateFixtureReallyHasZeroFaultToleranceAndAHealthyQuorum() {
    // Guards the fixture itself: the point is that Degraded=True (fault tolerance 0) during a roll is not Argo-Degraded.
    Map<String, Object> obj = RepoFiles.single(CUSTOMIZATION.resolve("testdata/progressing_rolling_update.yaml"));
    assertThat(RepoFiles.at(obj, "status.quorum.faultTolerance")).isEqualTo(0);
    assertThat((Integer) RepoFiles.at(obj, "status.quorum.healthy"))
        .isGreaterThanOrEqualTo((Integer) RepoFiles.at(obj, "status.quorum.required"));
    assertThat(conditionStatus(obj, "Reconciling")).isEqualTo("True");
    assertThat(conditionStatus(obj, "Degraded")).isEqualTo("True");
  }

  @Test
  void theArgoCdConfigMapCarriesTheSameScript() {
    String script = RepoFiles.read(SCRIPT);

    Map<String, Object> cm = RepoFiles.single(RepoFiles.ROOT.resolve("examples/argocd/argocd-cm.yaml"));
    assertThat(RepoFiles.at(cm, "metadata.name")).isEqualTo("argocd-cm");
    Map<String, Object> data = RepoFiles.asMap(cm.get("data"), "argocd-cm data");
    assertThat(data.get("resource.customizations.health.ballot.dev_ElectionCluster")).isEqualTo(script);
  }

  @Test
  void aScriptErrorIsReportedNotSwallowed() {
    ArgoLuaHealth broken = new ArgoLuaHealth("local hs = {}\nhs.status = obj.status.nothing.here\nreturn hs\n");
    Map<String, Object> obj = RepoFiles.single(CUSTOMIZATION.resolve("testdata/healthy.yaml"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> broken.assess(obj))
        .hasMessageContaining("health.lua");
  }

  @Test
  void argoCdsSandboxHasNoIoOrOs() {
    ArgoLuaHealth probe = new ArgoLuaHealth(
        "local hs = {}\nhs.status = 'Healthy'\nhs.message = tostring(io) .. ' ' .. tostring(os) .. ' ' .. tostring(luajava)\nreturn hs\n");
    assertThat(probe.assess(Map.of()).message()).isEqualTo("nil nil nil");
  }

  private static List<Map<String, Object>> healthTests() {
    Map<String, Object> doc = RepoFiles.single(CUSTOMIZATION.resolve("health_test.yaml"));
    return RepoFiles.asList(doc.get("tests"), "tests").stream()
        .map(t -> RepoFiles.asMap(t, "test")).collect(Collectors.toList());
  }

  private static String conditionStatus(Map<String, Object> obj, String type) {
    for (Object c : RepoFiles.asList(RepoFiles.at(obj, "status.conditions"), "conditions")) {
      Map<String, Object> cond = RepoFiles.asMap(c, "condition");
      if (type.equals(cond.get("type"))) {
        return (String) cond.get("status");
      }
    }
    return null;
  }
}
