package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * deploy/ and the examples against a real kube-apiserver: `kubectl apply -k deploy/` succeeds (restricted Pod
 * Security enforced), the examples pass the CRD's schema and CEL rules, the health fixtures' status survives the
 * status subresource unpruned, and the operator's ServiceAccount can do exactly what it needs. Skipped on machines
 * without the control-plane binaries that e2e/controlplane/build.sh caches.
 */
class RealApiServerTest {

  private static final Path FIXTURES = RepoFiles.ROOT.resolve("examples/argocd/ballot.dev/ElectionCluster/testdata");
  private static final String OPERATOR = "system:serviceaccount:ballot-system:ballot-operator";
  private static LocalApiServer server;
  private static Tools.Run install;

  @BeforeAll
  static void startAndInstall() throws IOException {
    var bin = LocalApiServer.binaries();
    assumeTrue(bin.isPresent(), "no etcd/kube-apiserver in ~/.cache/ballot/k8s-*/bin (or BALLOT_K8S_BIN): run "
        + "e2e/controlplane/build.sh to check deploy/ and the examples against a real API server");
    assumeTrue(RenderedManifests.crdsLanded(), "crds/ is not on this branch yet");
    server = LocalApiServer.start(bin.get(), RenderedManifests.kubectl());
    install = server.kubectl("apply", "-k", RepoFiles.ROOT.resolve("deploy").toString());
    ok(server.kubectl("wait", "--for=condition=Established", "crd/electionclusters.ballot.dev", "--timeout=60s"));
    ok(server.kubectl("create", "namespace", "ballot-demo"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Tools.Run ok(Tools.Run run) {
    assertThat(run.exitCode()).as("stdout:\n%s\nstderr:\n%s", run.stdout(), run.stderr()).isZero();
    return run;
  }

  @Test
  void kubectlApplyKDeployInstallsEverythingWithoutPodSecurityWarnings() {
    ok(install);
    assertThat(install.stdout()).contains("namespace/ballot-system created",
        "customresourcedefinition.apiextensions.k8s.io/electionclusters.ballot.dev created",
        "deployment.apps/ballot-operator created", "clusterrole.rbac.authorization.k8s.io/ballot-operator created");
    // The namespace enforces the restricted profile; the API server warns on any pod template that would violate it.
    assertThat(install.stderr()).doesNotContain("PodSecurity").doesNotContain("violate");
  }

  @TestFactory
  Stream<DynamicTest> everyExampleIsAcceptedAndStoredAsWritten() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(RepoFiles.ROOT.resolve("examples"))) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    }
    return examples.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
      ok(server.kubectl("-n", "ballot-demo", "apply", "-f", path.toString()));
      Map<String, Object> written = RepoFiles.single(path);
      Map<String, Object> stored = RepoFiles.documents(ok(server.kubectl("-n", "ballot-demo", "get", "ec",
          (String) RepoFiles.at(written, "metadata.name"), "-o", "yaml")).stdout()).get(0);
      // Defaults may be added; nothing written may be dropped (pruned) or changed.
      assertContained(written.get("spec"), stored.get("spec"), "spec");
    }));
  }

  @TestFactory
  Stream<DynamicTest> healthFixturesAreStatusesTheApiServerKeepsAsIs() throws IOException {
    List<Path> fixtures;
    try (Stream<Path> files = Files.list(FIXTURES)) {
      fixtures = files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    }
    return fixtures.stream().map(path -> DynamicTest.dynamicTest(path.getFileName().toString(), () -> {
      Map<String, Object> fixture = RepoFiles.single(path);
      String name = path.getFileName().toString().replace(".yaml", "").replace('_', '-');
      String cr = Json.write(Map.of("apiVersion", fixture.get("apiVersion"), "kind", fixture.get("kind"),
          "metadata", Map.of("name", name), "spec", fixture.get("spec")));
      Tools.Run created = server.kubectlWithInput(cr, "-n", "ballot-demo", "apply", "-f", "-");
      if (name.equals("degraded-invalid-spec")) {
        // What the operator reports where the CRD's CEL rules are not enforced: a current API server refuses it.
        assertThat(created.exitCode()).isNotZero();
        assertThat(created.stderr()).contains("spec.raft.heartbeatInterval must be at most a third of spec.raft.electionTimeoutMin");
        return;
      }
      ok(created);
      if (fixture.get("status") == null) {
        return;
      }
      ok(server.kubectl("-n", "ballot-demo", "patch", "ec", name, "--subresource=status", "--type=merge",
          "-p", Json.write(Map.of("status", fixture.get("status")))));
      Map<String, Object> stored = RepoFiles.documents(ok(server.kubectl("-n", "ballot-demo", "get", "ec", name, "-o", "yaml"))
          .stdout()).get(0);
      Object status = fixture.get("status");
      if (RepoFiles.asMap(status, "status").equals(Map.of("observedGeneration", 1, "conditions", List.of()))) {
        assertThat(RepoFiles.at(stored, "status.observedGeneration")).isEqualTo(1);
      } else {
        assertThat(stored.get("status")).isEqualTo(status);
      }
    }));
  }

  @Test
  void celRulesRefuseWhatTheExamplesMustNotTeach() {
    String raft3 = RepoFiles.read(RepoFiles.ROOT.resolve("examples/raft-3.yaml")).replace("name: raft-3\n", "name: cel-check\n");
    Tools.Run heartbeat = server.kubectlWithInput(raft3.replace("heartbeatInterval: 50ms", "heartbeatInterval: 100ms"),
        "-n", "ballot-demo", "apply", "--dry-run=server", "-f", "-");
    assertThat(heartbeat.exitCode()).isNotZero();
    assertThat(heartbeat.stderr()).contains("spec.raft.heartbeatInterval must be at most a third");
    Tools.Run timeouts = server.kubectlWithInput(raft3.replace("electionTimeoutMax: 300ms", "electionTimeoutMax: 100ms"),
        "-n", "ballot-demo", "apply", "--dry-run=server", "-f", "-");
    assertThat(timeouts.exitCode()).isNotZero();
    assertThat(timeouts.stderr()).contains("electionTimeoutMin");
  }

  @Test
  void theOperatorsServiceAccountCanDoWhatItNeedsAndNothingElse() {
    Map<String, Boolean> expected = new java.util.LinkedHashMap<>();
    expected.put("watch electionclusters.ballot.dev --all-namespaces", true);
    expected.put("patch electionclusters.ballot.dev --subresource=status -n ballot-demo", true);
    expected.put("create statefulsets.apps -n ballot-demo", true);
    expected.put("delete pods -n ballot-demo", true);
    expected.put("delete persistentvolumeclaims -n ballot-demo", true);
    expected.put("create events -n ballot-demo", true);
    expected.put("create poddisruptionbudgets.policy -n ballot-demo", true);
    expected.put("update leases.coordination.k8s.io -n ballot-system", true);
    expected.put("patch leases.coordination.k8s.io -n ballot-system", true);
    expected.put("create electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("delete electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("create pods -n ballot-demo", false);
    expected.put("get secrets -n ballot-demo", false);
    expected.put("create leases.coordination.k8s.io -n ballot-demo", false);
    expected.put("delete nodes", false);
    for (Map.Entry<String, Boolean> check : expected.entrySet()) {
      List<String> args = new java.util.ArrayList<>(List.of("auth", "can-i"));
      args.addAll(List.of(check.getKey().split(" ")));
      args.add("--as=" + OPERATOR);
      Tools.Run run = server.kubectl(args.toArray(String[]::new));
      assertThat(run.stdout().trim()).as("can-i %s", check.getKey()).isEqualTo(check.getValue() ? "yes" : "no");
    }
  }

  /** Every field of written is in stored with the same value (stored may hold more: defaults). */
  private static void assertContained(Object written, Object stored, String path) {
    if (written instanceof Map<?, ?> w) {
      assertThat(stored).as(path).isInstanceOf(Map.class);
      Map<?, ?> s = (Map<?, ?>) stored;
      w.forEach((k, v) -> {
        assertThat(s.containsKey(k)).as("%s.%s kept by the API server", path, k).isTrue();
        assertContained(v, s.get(k), path + "." + k);
      });
    } else {
      assertThat(stored).as(path).isEqualTo(written);
    }
  }
}
