package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Renders deploy/ with kubectl kustomize and gives access to the objects by kind and name. */
final class RenderedManifests {

  /** Stand-in for crds/ until the operator's generated CRD is on this branch (rendering only, never validation). */
  private static final String TEMPORARY_CRD = """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: electionclusters.ballot.dev
      spec:
        group: ballot.dev
        names: {kind: ElectionCluster, listKind: ElectionClusterList, plural: electionclusters, singular: electioncluster, shortNames: [ec, ecs]}
        scope: Namespaced
        versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
      """;

  final List<Map<String, Object>> objects;

  RenderedManifests(List<Map<String, Object>> objects) {
    this.objects = objects;
  }

  static Path kubectl() {
    var kubectl = Tools.find("kubectl", "BALLOT_KUBECTL");
    assumeTrue(kubectl.isPresent(), "kubectl is not on PATH: install kubectl (it carries kustomize) to render deploy/");
    return kubectl.get();
  }

  static boolean crdsLanded() {
    return Files.isRegularFile(RepoFiles.ROOT.resolve("crds/kustomization.yaml"));
  }

  /** `kubectl kustomize <dir>` where dir is deploy/ itself, or an overlay that names it. */
  static RenderedManifests kustomize(Path dir) {
    List<String> cmd = List.of(kubectl().toString(), "kustomize", dir.toString());
    Tools.Run run = Tools.run(cmd, RepoFiles.ROOT, 120);
    assertThat(run.exitCode()).as(run.describe(cmd)).isZero();
    return new RenderedManifests(RepoFiles.documents(run.stdout()));
  }

  /** Renders deploy/ from the repository; before crds/ lands, from a copy beside a temporary CRD. */
  static RenderedManifests deploy() {
    if (crdsLanded()) {
      return kustomize(RepoFiles.ROOT.resolve("deploy"));
    }
    System.out.println("crds/ is not on this branch yet: rendering a copy of deploy/ beside a temporary CRD");
    Path tmp = null;
    try {
      tmp = Files.createTempDirectory("ballot-deploy");
      stage(tmp);
      return kustomize(tmp.resolve("deploy"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteTree(tmp);
    }
  }

  /** Copies deploy/ and crds/ (or, before it lands, a temporary CRD) into dir, so overlays can sit beside them. */
  static void stage(Path dir) throws IOException {
    copyTree(RepoFiles.ROOT.resolve("deploy"), dir.resolve("deploy"));
    if (crdsLanded()) {
      copyTree(RepoFiles.ROOT.resolve("crds"), dir.resolve("crds"));
    } else {
      Files.createDirectories(dir.resolve("crds"));
      Files.writeString(dir.resolve("crds/electionclusters.ballot.dev-v1.yml"), TEMPORARY_CRD);
      Files.writeString(dir.resolve("crds/kustomization.yaml"), "resources:\n  - electionclusters.ballot.dev-v1.yml\n");
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.collect(Collectors.toList())) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String kind(Map<String, Object> o) {
    return (String) o.get("kind");
  }

  static String name(Map<String, Object> o) {
    return (String) RepoFiles.at(o, "metadata.name");
  }

  static String namespace(Map<String, Object> o) {
    return (String) RepoFiles.at(o, "metadata.namespace");
  }

  /** "Kind/namespace/name" (namespace empty for cluster-scoped objects): a stable identity for comparisons. */
  static String id(Map<String, Object> o) {
    return kind(o) + "/" + Objects.requireNonNullElse(namespace(o), "") + "/" + name(o);
  }

  List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(kind(o))).collect(Collectors.toList());
  }

  Map<String, Object> get(String kind, String name) {
    return ofKind(kind).stream().filter(o -> name.equals(name(o))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + ids()));
  }

  List<String> ids() {
    return objects.stream().map(RenderedManifests::id).sorted().collect(Collectors.toList());
  }

  /** Every rule of every Role and ClusterRole. */
  List<Map<String, Object>> rbacRules() {
    return Stream.concat(ofKind("Role").stream(), ofKind("ClusterRole").stream())
        .flatMap(r -> RepoFiles.asList(r.get("rules"), id(r) + " rules").stream())
        .map(rule -> RepoFiles.asMap(rule, "rule"))
        .collect(Collectors.toList());
  }
}
