package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ContainerLaunchTest {
  private static final ContainerLaunch.ImageMap IMAGES = new ContainerLaunch.ImageMap(
      Pattern.compile(".*ballot-node.*"), Path.of("/repo/node-image/target/ballot-node.jar"), "/jdk/bin/java",
      List.of("-Djdk.net.hosts.file=/state/hosts"));
  private static final ContainerLaunch.Lookups LOOKUPS = new ContainerLaunch.Lookups() {
    @Override
    public Map<String, String> configMap(String namespace, String name) {
      return name.equals("settings") ? Map.of("LEVEL", "debug") : null;
    }

    @Override
    public Map<String, String> secret(String namespace, String name) {
      return null;
    }
  };
  private static final Map<String, Path> MOUNTS = Map.of(
      "/etc/ballot", Path.of("/state/pods/uid/volumes/config"),
      "/var/lib/ballot", Path.of("/state/pv/default/data-ec-raft-0"));

  private static Pod pod(Container c) {
    return new PodBuilder().withNewMetadata().withName("ec-raft-0").withNamespace("default").withUid("uid")
        .addToLabels("app", "x").endMetadata().withNewSpec().withNodeName("local-1").withContainers(c).endSpec().build();
  }

  private static ContainerBuilder nodeContainer() {
    return new ContainerBuilder().withName("node").withImage("ghcr.io/ballot/ballot-node:0.1.0")
        .withArgs("run", "--config", "/etc/ballot/ballot.yaml")
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("BALLOT_NODE_ID").withValue("$(POD_NAME)").endEnv()
        .addNewEnv().withName("BALLOT_LISTEN_ADDRESS").withValue("$(POD_IP):2380").endEnv()
        .addNewEnv().withName("BALLOT_DATA_DIR").withValue("/var/lib/ballot").endEnv()
        .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['app']").endFieldRef().endValueFrom().endEnv()
        .addNewEnvFrom().withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom();
  }

  @Test
  void theNodeImageRunsTheNodeJarWithDownwardApiEnvAndLocalPaths() {
    Container c = nodeContainer().build();
    ContainerLaunch.Launch launch = ContainerLaunch.of(pod(c), c, "127.0.1.5", "127.0.0.1", MOUNTS, IMAGES, LOOKUPS);
    assertThat(launch.command()).containsExactly("/jdk/bin/java", "-Djdk.net.hosts.file=/state/hosts", "-jar",
        "/repo/node-image/target/ballot-node.jar", "run", "--config", "/state/pods/uid/volumes/config/ballot.yaml");
    assertThat(launch.env()).containsEntry("BALLOT_NODE_ID", "ec-raft-0")
        .containsEntry("BALLOT_LISTEN_ADDRESS", "127.0.1.5:2380")
        .containsEntry("BALLOT_DATA_DIR", "/state/pv/default/data-ec-raft-0")
        .containsEntry("APP", "x")
        .containsEntry("LEVEL", "debug");
  }

  @Test
  void aRewrittenPathIsNotRewrittenAgainByAShorterMount() {
    Map<String, Path> mounts = Map.of("/etc/ballot", Path.of("/tmp/state/pod/volumes/config"),
        "/tmp", Path.of("/tmp/state/pod/volumes/tmp"));
    assertThat(ContainerLaunch.rewritePaths("/etc/ballot/ballot.yaml", mounts)).isEqualTo("/tmp/state/pod/volumes/config/ballot.yaml");
    assertThat(ContainerLaunch.rewritePaths("/tmp/x /etc/ballot", mounts))
        .isEqualTo("/tmp/state/pod/volumes/tmp/x /tmp/state/pod/volumes/config");
  }

  @Test
  void pathsAreRewrittenOnlyAtMountBoundaries() {
    assertThat(ContainerLaunch.rewritePaths("/etc/ballotx/a", MOUNTS)).isEqualTo("/etc/ballotx/a");
    assertThat(ContainerLaunch.rewritePaths("--data=/var/lib/ballot", MOUNTS)).isEqualTo("--data=/state/pv/default/data-ec-raft-0");
    assertThat(ContainerLaunch.rewritePaths("data_dir: /var/lib/ballot\n", MOUNTS)).isEqualTo("data_dir: /state/pv/default/data-ec-raft-0\n");
  }

  @Test
  void aJavaCommandRunsOnTheLocalJdkAndAnUnknownImageIsRefusedByName() {
    Container java = new ContainerBuilder().withName("probe").withImage("eclipse-temurin:17").withCommand("java", "-version").build();
    assertThat(ContainerLaunch.of(pod(java), java, "127.0.1.5", "127.0.0.1", Map.of(), IMAGES, LOOKUPS).command())
        .containsExactly("/jdk/bin/java", "-Djdk.net.hosts.file=/state/hosts", "-version");
    Container nginx = new ContainerBuilder().withName("web").withImage("nginx").build();
    assertThatThrownBy(() -> ContainerLaunch.of(pod(nginx), nginx, "127.0.1.5", "127.0.0.1", Map.of(), IMAGES, LOOKUPS))
        .hasMessageContaining("'web'").hasMessageContaining("nginx");
  }
}
