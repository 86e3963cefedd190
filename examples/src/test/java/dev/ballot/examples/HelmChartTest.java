package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders deploy/helm/ballot-operator with the real helm binary and checks it installs the same operator as
 * deploy/ (kustomize): same objects, same RBAC, same pod; plus the values users turn.
 */
class HelmChartTest {

  private static final Path CHART = RepoFiles.ROOT.resolve("deploy/helm/ballot-operator");
  private static Path helm;

  /**
   * BALLOT_HELM if set, else the pinned helm that e2e/tools/build-helm.sh builds from its Go module into
   * ~/.cache/ballot (instant once cached; .ci/run builds it before the tests). Never skipped: no helm is a failure.
   */
  @BeforeAll
  static void findHelm() {
    String override = System.getenv("BALLOT_HELM");
    if (override != null && !override.isBlank()) {
      helm = Path.of(override);
      return;
    }
    List<String> build = List.of("bash", RepoFiles.ROOT.resolve("e2e/tools/build-helm.sh").toString());
    Tools.Run run = Tools.run(build, RepoFiles.ROOT, 1800);
    assertThat(run.exitCode()).as("building helm: " + run.describe(build)).isZero();
    helm = Path.of(run.stdout().strip());
    assertThat(helm).as("e2e/tools/build-helm.sh printed " + run.stdout()).isExecutable();
  }

  private static Tools.Run template(String... extra) {
    List<String> cmd = new ArrayList<>(List.of(helm.toString(), "template", "ballot", CHART.toString(),
        "--namespace", "ballot-system", "--include-crds"));
    cmd.addAll(List.of(extra));
    return Tools.run(cmd, RepoFiles.ROOT, 120);
  }

  private static RenderedManifests render(String... extra) {
    Tools.Run run = template(extra);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    return new RenderedManifests(RepoFiles.documents(run.stdout()));
  }

  @Test
  void lintPasses() {
    List<String> cmd = List.of(helm.toString(), "lint", "--strict", CHART.toString());
    Tools.Run run = Tools.run(cmd, RepoFiles.ROOT, 120);
    assertThat(run.exitCode()).as(run.describe(cmd) + run.stdout()).isZero();
  }

  @Test
  void defaultsRenderTheSameOperatorAsKustomize() {
    RenderedManifests chart = render();
    RenderedManifests kustomize = RenderedManifests.deploy();

    // Helm leaves the namespace to --create-namespace; the CRD comes from the chart's crds/ once it is copied there.
    List<String> expected = kustomize.ids().stream()
        .filter(id -> !id.startsWith("Namespace/"))
        .filter(id -> Files.isDirectory(CHART.resolve("crds")) || !id.startsWith("CustomResourceDefinition/"))
        .collect(Collectors.toList());
    assertThat(chart.ids()).containsExactlyInAnyOrderElementsOf(expected);

    for (String kind : List.of("ClusterRole", "Role")) {
      for (Map<String, Object> role : kustomize.ofKind(kind)) {
        String name = RenderedManifests.name(role);
        assertThat(chart.get(kind, name).get("rules")).as("rules of %s %s", kind, name).isEqualTo(role.get("rules"));
      }
    }
    for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
      for (Map<String, Object> binding : kustomize.ofKind(kind)) {
        String name = RenderedManifests.name(binding);
        assertThat(chart.get(kind, name).get("subjects")).isEqualTo(binding.get("subjects"));
        assertThat(chart.get(kind, name).get("roleRef")).isEqualTo(binding.get("roleRef"));
      }
    }
    Map<String, Object> chartDeployment = chart.get("Deployment", "ballot-operator");
    Map<String, Object> kustomizeDeployment = kustomize.get("Deployment", "ballot-operator");
    for (String path : List.of("spec.replicas", "spec.selector", "spec.strategy", "spec.template.spec")) {
      assertThat(RepoFiles.at(chartDeployment, path)).as(path).isEqualTo(RepoFiles.at(kustomizeDeployment, path));
    }
    assertThat(chart.get("Service", "ballot-operator-metrics").get("spec"))
        .isEqualTo(kustomize.get("Service", "ballot-operator-metrics").get("spec"));
    assertThat(chart.get("PodDisruptionBudget", "ballot-operator").get("spec"))
        .isEqualTo(kustomize.get("PodDisruptionBudget", "ballot-operator").get("spec"));
  }

  @Test
  void watchNamespacesBindTheRolePerNamespaceInsteadOfClusterWide() {
    RenderedManifests chart = render("--set", "watchNamespaces={team-a,team-b}");
    assertThat(chart.ids()).contains("RoleBinding/team-a/ballot-operator", "RoleBinding/team-b/ballot-operator",
        "RoleBinding/ballot-system/ballot-operator-leader-election");
    assertThat(chart.ids()).doesNotContain("ClusterRoleBinding//ballot-operator");
    assertThat(RepoFiles.at(chart.get("RoleBinding", "ballot-operator"), "roleRef.name")).isEqualTo("ballot-operator");
    Map<String, Object> env = DeployRenderTest.env(DeployRenderTest.operatorContainer(chart.get("Deployment", "ballot-operator")));
    assertThat(env).containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_ELECTIONCLUSTER_NAMESPACES", "team-a,team-b");
  }

  @Test
  void imageReplicasAndResourcesAreValues() {
    RenderedManifests chart = render("--set", "image.repository=registry.example/ballot/operator", "--set", "image.tag=9.9.9",
        "--set", "replicas=3", "--set", "resources.limits.memory=1Gi");
    Map<String, Object> deployment = chart.get("Deployment", "ballot-operator");
    Map<String, Object> container = DeployRenderTest.operatorContainer(deployment);
    assertThat(container.get("image")).isEqualTo("registry.example/ballot/operator:9.9.9");
    assertThat(RepoFiles.at(deployment, "spec.replicas")).isEqualTo(3);
    assertThat(RepoFiles.at(container, "resources.limits.memory")).isEqualTo("1Gi");
  }

  @Test
  void oneReplicaWithoutLeaderElectionDropsTheLeaseRoleAndThePdb() {
    RenderedManifests chart = render("--set", "leaderElection.enabled=false", "--set", "replicas=1");
    assertThat(chart.ids()).doesNotContain("Role/ballot-system/ballot-operator-leader-election",
        "RoleBinding/ballot-system/ballot-operator-leader-election", "PodDisruptionBudget/ballot-system/ballot-operator");
    Map<String, Object> env = DeployRenderTest.env(DeployRenderTest.operatorContainer(chart.get("Deployment", "ballot-operator")));
    // QOSDK elects a leader only in the profiles of quarkus.operator-sdk.activate-leader-election-for-profiles (prod).
    assertThat(env).containsEntry("QUARKUS_PROFILE", "no-leader-election");
  }

  @Test
  void twoActiveOperatorsAreRefusedWithAMessageThatNamesTheFix() {
    Tools.Run run = template("--set", "leaderElection.enabled=false");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("leaderElection.enabled is false").contains("Set leaderElection.enabled=true or replicas=1");
  }

  @Test
  void badValuesAreRefusedWithTheFieldNamed() {
    Tools.Run typo = template("--set", "watchNamespace=team-a");
    assertThat(typo.exitCode()).isNotZero();
    assertThat(typo.stderr()).contains("additional properties 'watchNamespace' not allowed");
    Tools.Run type = template("--set", "replicas=two");
    assertThat(type.exitCode()).isNotZero();
    assertThat(type.stderr()).contains("/replicas").contains("want integer");
    Tools.Run name = template("--set", "watchNamespaces={Team_A}");
    assertThat(name.exitCode()).isNotZero();
    assertThat(name.stderr()).contains("/watchNamespaces/0").contains("'Team_A' does not match pattern");
  }

  /** monitoring.enabled renders deploy/monitoring's objects (same specs, same dashboard), labelled for a Prometheus. */
  @Test
  void monitoringRendersTheSameObjectsAsDeployMonitoring() {
    assertThat(render().ids()).noneMatch(id -> id.startsWith("PodMonitor/") || id.startsWith("ServiceMonitor/")
        || id.startsWith("PrometheusRule/") || id.contains("grafana"));
    RenderedManifests chart = render("--set", "monitoring.enabled=true", "--set", "monitoring.labels.release=kps");
    RenderedManifests plain = RenderedManifests.kustomize(RepoFiles.ROOT.resolve("deploy/monitoring"));
    for (String id : plain.ids()) {
      String[] parts = id.split("/");
      Map<String, Object> fromChart = chart.get(parts[0], parts[2]);
      Map<String, Object> fromPlain = plain.get(parts[0], parts[2]);
      String field = parts[0].equals("ConfigMap") ? "data" : "spec";
      assertThat(fromChart.get(field)).as("%s of %s: chart vs deploy/monitoring", field, id).isEqualTo(fromPlain.get(field));
      if (!parts[0].equals("ConfigMap")) {
        assertThat(RepoFiles.at(fromChart, "metadata.labels.release")).as("monitoring.labels on %s", id).isEqualTo("kps");
      }
    }
    assertThat(RepoFiles.at(chart.get("ConfigMap", "ballot-grafana-dashboard"), "metadata.labels.grafana_dashboard"))
        .isEqualTo("1");
    // members serve /metrics in plain HTTP on the container port named metrics, 9180, whatever their TLS (the port
    // http serves HTTPS on TLS clusters, so a plain scrape of it got nothing): docs/conventions.md "Ports"
    assertThat(RepoFiles.at(chart.get("PodMonitor", "ballot-members"), "spec.podMetricsEndpoints"))
        .asList().singleElement().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsEntry("port", "metrics").containsEntry("scheme", "http")
        .containsEntry("path", "/metrics");
    RenderedManifests scoped = render("--set", "monitoring.enabled=true", "--set", "watchNamespaces={team-a}");
    assertThat(RepoFiles.at(scoped.get("PodMonitor", "ballot-members"), "spec.namespaceSelector"))
        .isEqualTo(Map.of("matchNames", List.of("team-a")));
  }
}
