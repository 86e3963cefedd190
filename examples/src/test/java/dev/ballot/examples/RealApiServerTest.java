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
    // after the members' certificates change: an annotation makes the kubelet remount the Secret at once
    expected.put("patch pods -n ballot-demo", true);
    expected.put("update pods -n ballot-demo", false);
    // replace-member and recover-quorum-from delete a member's claim (uid-guarded), so the member restarts empty
    expected.put("delete persistentvolumeclaims -n ballot-demo", true);
    expected.put("patch persistentvolumeclaims -n ballot-demo", true);
    expected.put("update persistentvolumeclaims -n ballot-demo", false);
    expected.put("get storageclasses.storage.k8s.io", true);
    expected.put("patch storageclasses.storage.k8s.io", false);
    expected.put("create events -n ballot-demo", true);
    expected.put("patch events -n ballot-demo", false);
    expected.put("update electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("patch electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("delete services -n ballot-demo", false);
    expected.put("create poddisruptionbudgets.policy -n ballot-demo", true);
    expected.put("create leases.coordination.k8s.io -n ballot-system", true);
    expected.put("update leases.coordination.k8s.io -n ballot-system", true);
    expected.put("patch leases.coordination.k8s.io -n ballot-system", true);
    expected.put("create electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("delete electionclusters.ballot.dev -n ballot-demo", false);
    expected.put("create pods -n ballot-demo", false);
    // Certificates (spec.tls, spec.clients) and backups (the Secret spec.backup names): get, list, create, update,
    // delete; never watch or patch.
    expected.put("get secrets -n ballot-demo", true);
    expected.put("list secrets -n ballot-demo", true);
    expected.put("watch secrets -n ballot-demo", false);
    expected.put("update secrets -n ballot-demo", true);
    expected.put("patch secrets -n ballot-demo", false);
    expected.put("create networkpolicies.networking.k8s.io -n ballot-demo", true);
    expected.put("delete networkpolicies.networking.k8s.io -n ballot-demo", false);
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

  /**
   * What VolumeResizer sends, as the operator's ServiceAccount: a merge patch of a bound claim's storage request is
   * accepted when its StorageClass allows expansion and refused (403, the PersistentVolumeClaimResize admission)
   * when not; the StatefulSet's claim template cannot be changed in place; a DELETE with propagationPolicy Orphan and
   * a uid precondition is accepted and leaves the StatefulSet to the garbage collector (finalizer "orphan"), which
   * this API server alone does not run.
   */
  @Test
  void claimsGrowOnlyWhereTheClassAllowsAndTheStatefulSetIsReplacedByAnOrphanDelete() {
    String ns = "ballot-demo";
    ok(server.kubectlWithInput(storageClass("grows", true) + "---\n" + storageClass("fixed", false)
        + "---\n" + claim("vol-grows", "grows") + "---\n" + claim("vol-fixed", "fixed"), "-n", ns, "apply", "-f", "-"));
    for (String claim : List.of("vol-grows", "vol-fixed")) {
      ok(server.kubectl("-n", ns, "patch", "pvc", claim, "--subresource=status", "--type=merge", "-p",
          "{\"status\":{\"phase\":\"Bound\",\"capacity\":{\"storage\":\"1Gi\"}}}"));
    }
    String grow = "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}";
    ok(server.kubectl("-n", ns, "patch", "pvc", "vol-grows", "--type=merge", "-p", grow, "--as=" + OPERATOR));
    assertThat(ok(server.kubectl("-n", ns, "get", "pvc", "vol-grows", "-o",
        "jsonpath={.spec.resources.requests.storage}")).stdout()).isEqualTo("2Gi");
    Tools.Run refused = server.kubectl("-n", ns, "patch", "pvc", "vol-fixed", "--type=merge", "-p", grow, "--as=" + OPERATOR);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("Forbidden").contains("storageclass that provisions the pvc must support resize");

    ok(server.kubectlWithInput(statefulSet("1Gi"), "-n", ns, "apply", "-f", "-"));
    Tools.Run inPlace = server.kubectlWithInput(statefulSet("2Gi"), "-n", ns, "apply", "-f", "-");
    assertThat(inPlace.exitCode()).isNotZero();
    assertThat(inPlace.stderr()).contains("Forbidden: updates to statefulset spec for fields other than");
    String uid = ok(server.kubectl("-n", ns, "get", "sts", "vol", "-o", "jsonpath={.metadata.uid}")).stdout();
    ok(server.kubectlWithInput(Json.write(Map.of("kind", "DeleteOptions", "apiVersion", "v1",
        "propagationPolicy", "Orphan", "preconditions", Map.of("uid", uid))), "delete", "--raw",
        "/apis/apps/v1/namespaces/" + ns + "/statefulsets/vol", "-f", "-", "--as=" + OPERATOR));
    assertThat(ok(server.kubectl("-n", ns, "get", "sts", "vol", "-o",
        "jsonpath={.metadata.finalizers} {.metadata.deletionTimestamp}")).stdout()).startsWith("[\"orphan\"] 20");
    // What the garbage collector does once it has orphaned the pods; then the dependent creates the new template.
    ok(server.kubectl("-n", ns, "patch", "sts", "vol", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}"));
    ok(server.kubectl("-n", ns, "wait", "--for=delete", "sts/vol", "--timeout=30s"));
    ok(server.kubectlWithInput(statefulSet("2Gi"), "-n", ns, "apply", "-f", "-"));
  }

  private static String storageClass(String name, boolean expandable) {
    return "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: " + name
        + "\nprovisioner: csi.example.dev\nallowVolumeExpansion: " + expandable + "\n";
  }

  private static String claim(String name, String storageClass) {
    return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: " + name + "\nspec:\n"
        + "  storageClassName: " + storageClass + "\n  accessModes: [ReadWriteOnce]\n"
        + "  resources:\n    requests:\n      storage: 1Gi\n";
  }

  private static String statefulSet(String size) {
    return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: vol\nspec:\n  serviceName: vol\n"
        + "  replicas: 1\n  selector:\n    matchLabels: {app: vol}\n  template:\n    metadata:\n"
        + "      labels: {app: vol}\n    spec:\n      containers:\n      - name: node\n        image: ballot/node:test\n"
        + "  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      storageClassName: grows\n"
        + "      accessModes: [ReadWriteOnce]\n      resources:\n        requests:\n          storage: " + size + "\n";
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
