package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Helm chart ships the generated CRD; no helm needed to see that its copy is current. */
class ChartCrdTest {

  @Test
  void theChartsCrdIsTheGeneratedOne() {
    Path chartCrd = RepoFiles.ROOT.resolve("deploy/helm/ballot-operator/crds/electionclusters.ballot.dev-v1.yml");
    assumeTrue(Files.isRegularFile(RepoFiles.CRD), "crds/ is not on this branch yet");
    assertThat(chartCrd).isRegularFile();
    assertThat(RepoFiles.read(chartCrd))
        .as("the chart's CRD is stale: cp crds/electionclusters.ballot.dev-v1.yml deploy/helm/ballot-operator/crds/")
        .isEqualTo(RepoFiles.read(RepoFiles.CRD));
  }
}
