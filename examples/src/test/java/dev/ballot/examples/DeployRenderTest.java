package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `kubectl kustomize deploy/` renders the install we document, with least-privilege RBAC and an HA operator. */
class DeployRenderTest {

  private static RenderedManifests rendered;

  @BeforeAll
  static void render() {
    rendered = RenderedManifests.deploy();
  }

  @Test
  void rendersExactlyTheInstallObjects() {
    assertThat(rendered.ids()).containsExactlyInAnyOrder(
        "Namespace//ballot-system",
        "CustomResourceDefinition//electionclusters.ballot.dev",
        "ServiceAccount/ballot-system/ballot-operator",
        "ClusterRole//ballot-operator",
        "ClusterRoleBinding//ballot-operator",
        "Role/ballot-system/ballot-operator-leader-election",
        "RoleBinding/ballot-system/ballot-operator-leader-election",
        "Deployment/ballot-system/ballot-operator",
        "PodDisruptionBudget/ballot-system/ballot-operator",
        "Service/ballot-system/ballot-operator-metrics");
  }

  @Test
  void noRbacRuleUsesAWildcard() {
    List<Map<String, Object>> rules = rendered.rbacRules();
    assertThat(rules).isNotEmpty();
    for (Map<String, Object> rule : rules) {
      for (String field : List.of("apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs")) {
        Object values = rule.get(field);
        if (values != null) {
          assertThat(RepoFiles.asList(values, field)).as("%s of %s", field, rule)
              .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain("*"));
        }
      }
    }
  }

  @Test
  void theOperatorGetsExactlyTheVerbsItNeeds() {
    Map<String, List<String>> cluster = verbsByResource(rendered.get("ClusterRole", "ballot-operator"));
    assertThat(cluster).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("ballot.dev/electionclusters", List.of("get", "list", "watch")),
        Map.entry("ballot.dev/electionclusters/status", List.of("patch")),
        Map.entry("ballot.dev/electionclusters/finalizers", List.of("update")),
        Map.entry("apps/statefulsets", List.of("get", "list", "watch", "create", "patch", "update", "delete")),
        Map.entry("core/services", List.of("get", "list", "watch", "create", "patch", "update")),
        Map.entry("core/configmaps", List.of("get", "list", "watch", "create", "patch", "update")),
        Map.entry("core/secrets", List.of("get", "list", "create", "update", "delete")),
        Map.entry("networking.k8s.io/networkpolicies", List.of("get", "list", "watch", "create", "patch", "update")),
        Map.entry("policy/poddisruptionbudgets", List.of("get", "list", "watch", "create", "patch", "update")),
        Map.entry("core/pods", List.of("get", "list", "watch", "patch", "delete")),
        Map.entry("core/persistentvolumeclaims", List.of("get", "list", "watch", "patch", "delete")),
        Map.entry("storage.k8s.io/storageclasses", List.of("get")),
        Map.entry("core/events", List.of("create"))));
    // The operator never creates or deletes ElectionClusters: they come from users and Git.
    assertThat(cluster.get("ballot.dev/electionclusters")).doesNotContain("create", "delete");

    // No CRD access: the operator runs with quarkus.operator-sdk.crd.validate=false and never applies the CRD.
    assertThat(rendered.rbacRules()).noneSatisfy(rule -> assertThat(rule.get("apiGroups")).isEqualTo(List.of("apiextensions.k8s.io")));
    // Leases only in the operator's own namespace.
    Map<String, Object> leaderRole = rendered.get("Role", "ballot-operator-leader-election");
    assertThat(RenderedManifests.namespace(leaderRole)).isEqualTo("ballot-system");
    assertThat(verbsByResource(leaderRole))
        .containsExactlyInAnyOrderEntriesOf(Map.of("coordination.k8s.io/leases", List.of("get", "create", "update", "patch")));
  }

  @Test
  void everyBindingPointsAtTheOperatorServiceAccountAndAnExistingRole() {
    List<Map<String, Object>> bindings = new ArrayList<>(rendered.ofKind("ClusterRoleBinding"));
    bindings.addAll(rendered.ofKind("RoleBinding"));
    assertThat(bindings).hasSize(2);
    for (Map<String, Object> binding : bindings) {
      String roleKind = (String) RepoFiles.at(binding, "roleRef.kind");
      String roleName = (String) RepoFiles.at(binding, "roleRef.name");
      assertThat(rendered.get(roleKind, roleName)).isNotNull();
      assertThat(RepoFiles.asList(binding.get("subjects"), "subjects")).singleElement().isEqualTo(
          Map.of("kind", "ServiceAccount", "name", "ballot-operator", "namespace", "ballot-system"));
    }
  }

  @Test
  void theOperatorRunsTwoReplicasWithLeaderElection() {
    Map<String, Object> deployment = rendered.get("Deployment", "ballot-operator");
    assertThat(RepoFiles.at(deployment, "spec.replicas")).isEqualTo(2);
    Map<String, Object> container = operatorContainer(deployment);
    assertThat(container.get("image")).isEqualTo(System.getProperty("ballot.operator.image"));
    Map<String, Object> env = env(container);
    // The operator's leader election (OperatorLeaderElection): Lease "ballot-operator" in $POD_NAMESPACE, holder $POD_NAME.
    assertThat(env).containsEntry("POD_NAME", "fieldRef:metadata.name")
        .containsEntry("POD_NAMESPACE", "fieldRef:metadata.namespace")
        .containsEntry("QUARKUS_OPERATOR_SDK_CONTROLLERS_ELECTIONCLUSTER_NAMESPACES", "JOSDK_ALL_NAMESPACES")
        .doesNotContainKey("QUARKUS_PROFILE");
    assertThat(RepoFiles.at(deployment, "spec.template.spec.serviceAccountName")).isEqualTo("ballot-operator");
    Map<String, Object> pdb = rendered.get("PodDisruptionBudget", "ballot-operator");
    assertThat(RepoFiles.at(pdb, "spec.minAvailable")).isEqualTo(1);
    assertThat(RepoFiles.at(pdb, "spec.selector.matchLabels")).isEqualTo(RepoFiles.at(deployment, "spec.selector.matchLabels"));
  }

  @Test
  void thePodMeetsTheRestrictedPodSecurityStandard() {
    Map<String, Object> podSpec = RepoFiles.asMap(RepoFiles.at(rendered.get("Deployment", "ballot-operator"), "spec.template.spec"), "pod spec");
    assertThat(RestrictedPodSecurity.violations(podSpec)).isEmpty();
    assertThat(RepoFiles.at(rendered.get("Namespace", "ballot-system"), "metadata.labels"))
        .isEqualTo(Map.of("app.kubernetes.io/name", "ballot-operator", "app.kubernetes.io/part-of", "ballot",
            "pod-security.kubernetes.io/enforce", "restricted", "pod-security.kubernetes.io/enforce-version", "latest"));
  }

  @Test
  void probesUseQuarkusHealthAndTheMetricsServiceReachesThePods() {
    Map<String, Object> deployment = rendered.get("Deployment", "ballot-operator");
    Map<String, Object> container = operatorContainer(deployment);
    assertThat(RepoFiles.at(container, "livenessProbe.httpGet.path")).isEqualTo("/q/health/live");
    assertThat(RepoFiles.at(container, "readinessProbe.httpGet.path")).isEqualTo("/q/health/ready");
    assertThat(RepoFiles.at(container, "startupProbe.httpGet.path")).isEqualTo("/q/health/started");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(RepoFiles.at(container, probe + ".httpGet.port")).isEqualTo("http");
    }
    assertThat(RepoFiles.asList(container.get("ports"), "ports")).singleElement()
        .isEqualTo(Map.of("name", "http", "containerPort", 8080, "protocol", "TCP"));

    Map<String, Object> service = rendered.get("Service", "ballot-operator-metrics");
    assertThat(RepoFiles.asList(RepoFiles.at(service, "spec.ports"), "ports")).singleElement()
        .isEqualTo(Map.of("name", "http-metrics", "port", 8080, "targetPort", "http", "protocol", "TCP"));
    assertThat(RepoFiles.at(service, "metadata.annotations.prometheus\\.io/path")).isNull(); // dotted keys are not paths
    assertThat(RepoFiles.asMap(RepoFiles.at(service, "metadata.annotations"), "annotations"))
        .containsEntry("prometheus.io/path", "/q/metrics").containsEntry("prometheus.io/port", "8080");
    Map<String, Object> podLabels = RepoFiles.asMap(RepoFiles.at(deployment, "spec.template.metadata.labels"), "pod labels");
    assertThat(podLabels).containsAllEntriesOf(RepoFiles.asMap(RepoFiles.at(service, "spec.selector"), "selector"));
  }

  @Test
  void usersCanRetargetTheImageWithAKustomizeOverlay() throws Exception {
    Path dir = Files.createTempDirectory("ballot-overlay");
    try {
      RenderedManifests.stage(dir);
      Files.createDirectories(dir.resolve("overlay"));
      Files.writeString(dir.resolve("overlay/kustomization.yaml"), """
          apiVersion: kustomize.config.k8s.io/v1beta1
          kind: Kustomization
          resources:
            - ../deploy
          images:
            - name: ballot.dev/ballot/operator
              newName: registry.example/ballot/operator
              newTag: 9.9.9
          """);
      RenderedManifests retargeted = RenderedManifests.kustomize(dir.resolve("overlay"));
      assertThat(operatorContainer(retargeted.get("Deployment", "ballot-operator")).get("image"))
          .isEqualTo("registry.example/ballot/operator:9.9.9");
    } finally {
      RenderedManifests.deleteTree(dir);
    }
  }

  @Test
  void theCrdFitsClientSideApplysAnnotation() {
    // kubectl apply -k (client-side) stores the whole object as JSON in an annotation of at most 262144 bytes.
    assumeTrue(RenderedManifests.crdsLanded(), "crds/ is not on this branch yet: the size of the real CRD is what matters");
    int bytes = Json.write(rendered.get("CustomResourceDefinition", "electionclusters.ballot.dev"))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    System.out.println("CRD as JSON: " + bytes + " bytes (client-side apply limit 262144)");
    assertThat(bytes).as("the CRD's JSON size; above 262144 document `kubectl apply --server-side -k deploy/`")
        .isLessThan(262_144);
  }

  static Map<String, Object> operatorContainer(Map<String, Object> deployment) {
    List<Object> containers = RepoFiles.asList(RepoFiles.at(deployment, "spec.template.spec.containers"), "containers");
    assertThat(containers).hasSize(1);
    return RepoFiles.asMap(containers.get(0), "container");
  }

  /** name -> value, or "fieldRef:<path>" for downward-API values. */
  static Map<String, Object> env(Map<String, Object> container) {
    Map<String, Object> env = new LinkedHashMap<>();
    for (Object e : RepoFiles.asList(container.get("env"), "env")) {
      Map<String, Object> var = RepoFiles.asMap(e, "env var");
      Object fieldPath = RepoFiles.at(var, "valueFrom.fieldRef.fieldPath");
      env.put((String) var.get("name"), fieldPath != null ? "fieldRef:" + fieldPath : var.get("value"));
    }
    return env;
  }

  /** "group/resource" -> verbs, merged over the role's rules ("core" for the "" group). */
  static Map<String, List<String>> verbsByResource(Map<String, Object> role) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (Object r : RepoFiles.asList(role.get("rules"), "rules")) {
      Map<String, Object> rule = RepoFiles.asMap(r, "rule");
      List<String> verbs = RepoFiles.asList(rule.get("verbs"), "verbs").stream().map(String::valueOf).collect(Collectors.toList());
      for (Object g : RepoFiles.asList(rule.get("apiGroups"), "apiGroups")) {
        for (Object res : RepoFiles.asList(rule.get("resources"), "resources")) {
          String group = String.valueOf(g).isEmpty() ? "core" : String.valueOf(g);
          out.merge(group + "/" + res, new ArrayList<>(verbs), (a, b) -> {
            a.addAll(b);
            return a;
          });
        }
      }
    }
    return out;
  }
}
