package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The example Argo CD Application: its sources exist, the operator is wave -1 and the clusters wave 0. */
class ArgoCdApplicationTest {

  private static final Map<String, Object> APP = RepoFiles.single(RepoFiles.ROOT.resolve("examples/argocd/application.yaml"));

  private static List<Map<String, Object>> sources() {
    return RepoFiles.asList(RepoFiles.at(APP, "spec.sources"), "spec.sources").stream()
        .map(s -> RepoFiles.asMap(s, "source")).collect(Collectors.toList());
  }

  @Test
  void isAnApplicationWhoseSourcePathsExist() {
    assertThat(APP.get("apiVersion")).isEqualTo("argoproj.io/v1alpha1");
    assertThat(APP.get("kind")).isEqualTo("Application");
    assertThat(sources()).extracting(s -> s.get("path")).containsExactly("examples/argocd/operator", "examples");
    for (Map<String, Object> source : sources()) {
      assertThat(RepoFiles.ROOT.resolve((String) source.get("path"))).isDirectory();
    }
  }

  @Test
  void theClusterSourcePicksExactlyTheExampleClusters() throws Exception {
    String include = (String) RepoFiles.at(sources().get(1), "directory.include");
    assertThat(include).isEqualTo("{minimal.yaml,raft-3.yaml,zab-5-observer.yaml}");
    for (String file : include.substring(1, include.length() - 1).split(",")) {
      Map<String, Object> ec = RepoFiles.single(RepoFiles.ROOT.resolve("examples").resolve(file));
      assertThat(ec.get("kind")).isEqualTo("ElectionCluster");
      // No annotation: wave 0 is Argo CD's default, after the operator's wave -1.
      assertThat(RepoFiles.at(ec, "metadata.annotations")).isNull();
    }
  }

  @Test
  void syncOptionsLetTheFirstSyncCreateTheCrdAndItsClustersTogether() {
    List<Object> options = RepoFiles.asList(RepoFiles.at(APP, "spec.syncPolicy.syncOptions"), "syncOptions");
    assertThat(options).containsExactlyInAnyOrder("SkipDryRunOnMissingResource=true", "CreateNamespace=true");
    assertThat(RepoFiles.at(APP, "spec.ignoreDifferences")).as("the operator never writes spec: nothing to ignore").isNull();
  }

  @Test
  void everyOperatorObjectIsInWaveMinusOne() throws Exception {
    Path dir = Files.createTempDirectory("ballot-argocd");
    try {
      RenderedManifests.stage(dir);
      Path operator = dir.resolve("examples/argocd/operator");
      Files.createDirectories(operator);
      Files.copy(RepoFiles.ROOT.resolve("examples/argocd/operator/kustomization.yaml"), operator.resolve("kustomization.yaml"));
      RenderedManifests rendered = RenderedManifests.kustomize(operator);
      assertThat(rendered.ids()).contains("CustomResourceDefinition//electionclusters.ballot.dev",
          "Deployment/ballot-system/ballot-operator", "Namespace//ballot-system");
      assertThat(rendered.objects).allSatisfy(o -> assertThat(RepoFiles.at(o, "metadata.annotations"))
          .as(RenderedManifests.id(o)).isInstanceOfSatisfying(Map.class,
              a -> assertThat(a.get("argocd.argoproj.io/sync-wave")).isEqualTo("-1")));
    } finally {
      RenderedManifests.deleteTree(dir);
    }
  }
}
