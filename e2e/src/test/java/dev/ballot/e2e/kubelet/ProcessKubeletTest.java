package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process kubelet against fabric8's CRUD mock API: pods become processes, and their status tells the truth. */
@EnableKubernetesMockClient(crud = true)
class ProcessKubeletTest {
  // the mock server logs every request at INFO; keep the build output for failures
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_LOG.setLevel(Level.WARNING);
  }

  static KubernetesClient client;
  @TempDir
  Path state;
  private ProcessKubelet kubelet;
  private final String java = ProcessHandle.current().info().command().orElse("java");

  @BeforeEach
  void start() throws Exception {
    ContainerLaunch.ImageMap images = new ContainerLaunch.ImageMap(Pattern.compile("ballot/node.*"),
        state.resolve("none.jar"), java, List.of("-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
    kubelet = new ProcessKubelet(client, new ProcessKubelet.Options(state, List.of("t-1"), images, "cluster.local", "v1.34.4"));
    kubelet.start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    client.pods().inAnyNamespace().delete();
  }

  private Pod pod(String name, String restartPolicy, long grace, String... command) {
    return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withNodeName("t-1").withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(grace)
        .addNewContainer().withName("main").withImage("eclipse-temurin:17").withCommand(command).endContainer()
        .endSpec().build()).create();
  }

  private Pod get(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  private static ContainerStatus container(Pod p) {
    return p.getStatus().getContainerStatuses().get(0);
  }

  @Test
  void aPodThatExitsZeroSucceedsAndOneThatFailsFailsWithItsExitCode() {
    pod("ok", "Never", 5, "java", "-version");
    pod("bad", "Never", 5, "java", "-XX:+NoSuchFlagHere", "-version");
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(get("ok").getStatus().getPhase()).isEqualTo("Succeeded");
      assertThat(get("bad").getStatus().getPhase()).isEqualTo("Failed");
    });
    assertThat(container(get("ok")).getState().getTerminated().getExitCode()).isZero();
    assertThat(container(get("bad")).getState().getTerminated().getExitCode()).isNotZero();
    assertThat(get("ok").getStatus().getPodIP()).startsWith("127.0.");
  }

  @Test
  void restartPolicyAlwaysRestartsAnExitedContainerAndCountsIt() {
    pod("loop", "Always", 5, "java", "-version");
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(container(get("loop")).getRestartCount()).isGreaterThanOrEqualTo(2));
    assertThat(get("loop").getStatus().getPhase()).isEqualTo("Running");
    assertThat(container(get("loop")).getLastState().getTerminated().getExitCode()).isZero();
  }

  @Test
  void aRunningPodIsReadyWithoutProbesAndDeletingItKillsItsProcessEvenIfItIgnoresSigterm() {
    pod("stubborn", "Always", 1, "java", "-cp", System.getProperty("java.class.path"), Sleeper.class.getName(), "stubborn");
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Pod p = get("stubborn");
      assertThat(p.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
      assertThat(container(p).getContainerID()).startsWith("process://");
    });
    long pid = Long.parseLong(container(get("stubborn")).getContainerID().substring("process://".length()));
    assertThat(ProcessHandle.of(pid)).isPresent();
    kubelet.runner("default", "stubborn").orElseThrow().terminate(1); // SIGTERM, then SIGKILL after the 1 s grace
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }

  @Test
  void aPodRemovedFromTheApiLosesItsProcess() {
    pod("gone", "Always", 30, "java", "-cp", System.getProperty("java.class.path"), Sleeper.class.getName());
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).until(() -> Optional.ofNullable(get("gone").getStatus())
        .map(s -> s.getContainerStatuses() != null && !s.getContainerStatuses().isEmpty()
            && s.getContainerStatuses().get(0).getContainerID() != null).orElse(false));
    long pid = Long.parseLong(container(get("gone")).getContainerID().substring("process://".length()));
    client.pods().inNamespace("default").withName("gone").withGracePeriod(0).delete();
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
  }
}
