package dev.ballot.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/, the Helm chart, the CRD's default and the examples name exactly the images `mvn -Pimage package` builds
 * (the parent pom's ballot.operator.image and ballot.node.image, handed over by surefire): a user who loads the two
 * archives into a cluster gets pods that start, not ImagePullBackOff. No kubectl or helm needed.
 */
class ImageNamesTest {

  private static final String OPERATOR_IMAGE = buildProperty("ballot.operator.image");
  private static final String NODE_IMAGE = buildProperty("ballot.node.image");

  private static String buildProperty(String name) {
    String value = System.getProperty(name);
    assertThat(value).as("system property %s (set by examples/pom.xml from the parent pom)", name).isNotBlank();
    return value;
  }

  @Test
  void imagesAreRegistryQualifiedAndTaggedWithTheProjectVersion() {
    String version = buildProperty("ballot.project.version");
    // containerd's CRI would read a short "ballot/operator" as docker.io/ballot/operator (docs/image.md).
    assertThat(OPERATOR_IMAGE).startsWith("ballot.dev/ballot/operator:").endsWith(":" + version);
    assertThat(NODE_IMAGE).startsWith("ballot.dev/ballot/node:").endsWith(":" + version);
  }

  @Test
  void deployRunsTheOperatorImageOfThisBuild() {
    Map<String, Object> deployment = RepoFiles.single(RepoFiles.ROOT.resolve("deploy/deployment.yaml"));
    Map<String, Object> container = DeployRenderTest.operatorContainer(deployment);
    assertThat(container.get("image")).isEqualTo(OPERATOR_IMAGE);
    assertThat(container.get("imagePullPolicy")).isEqualTo("IfNotPresent");

    Map<String, Object> kustomization = RepoFiles.single(RepoFiles.ROOT.resolve("deploy/kustomization.yaml"));
    List<Object> images = RepoFiles.asList(kustomization.get("images"), "images");
    assertThat(images).singleElement().satisfies(entry -> {
      Map<String, Object> image = RepoFiles.asMap(entry, "image");
      assertThat(image.get("newName") + ":" + image.get("newTag")).isEqualTo(OPERATOR_IMAGE);
      assertThat(OPERATOR_IMAGE).startsWith(image.get("name") + ":");
    });
  }

  @Test
  void theChartDefaultsToTheOperatorImageOfThisBuild() {
    Path chart = RepoFiles.ROOT.resolve("deploy/helm/ballot-operator");
    Map<String, Object> values = RepoFiles.single(chart.resolve("values.yaml"));
    Map<String, Object> chartYaml = RepoFiles.single(chart.resolve("Chart.yaml"));
    // templates/_helpers.tpl: repository ":" (tag, default appVersion)
    assertThat(RepoFiles.at(values, "image.tag")).isEqualTo("");
    assertThat(RepoFiles.at(values, "image.repository") + ":" + chartYaml.get("appVersion")).isEqualTo(OPERATOR_IMAGE);
    assertThat(RepoFiles.at(values, "image.pullPolicy")).isEqualTo("IfNotPresent");
  }

  @Test
  void theCrdDefaultsToTheNodeImageOfThisBuild() {
    Map<String, Object> crd = RepoFiles.single(RepoFiles.CRD);
    Map<String, Object> version = RepoFiles.asMap(RepoFiles.asList(RepoFiles.at(crd, "spec.versions"), "versions").get(0), "version");
    assertThat(RepoFiles.at(version, "schema.openAPIV3Schema.properties.spec.properties.image.default")).isEqualTo(NODE_IMAGE);
  }

  @Test
  void examplesThatNameAnImageNameTheNodeImageOfThisBuild() {
    for (String example : List.of("examples/raft-3.yaml", "examples/zab-5-observer.yaml", "examples/minimal.yaml")) {
      Object image = RepoFiles.at(RepoFiles.single(RepoFiles.ROOT.resolve(example)), "spec.image");
      if (image != null) {
        assertThat(image).as(example).isEqualTo(NODE_IMAGE);
      }
    }
  }
}
