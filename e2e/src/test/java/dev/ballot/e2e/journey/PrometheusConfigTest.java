package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ballot.e2e.prometheus.MonitoringFiles;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Prometheus configuration of the journey's `prometheus` scenario, read back as YAML. */
class PrometheusConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  @Test
  void membersAreScrapedAsThePodMonitorScrapesThemWhateverTheClustersTls() throws Exception {
    MonitoringFiles.MemberEndpoint endpoint = MonitoringFiles.memberEndpoint(repo());
    assertThat(endpoint).as(MonitoringFiles.POD_MONITOR)
        .isEqualTo(new MonitoringFiles.MemberEndpoint("metrics", "http", "/metrics"));
    String text = PrometheusMonitoring.config(Path.of("/r/rules.yaml"), Path.of("/p/members.json"),
        Optional.of(new InetSocketAddress("10.0.0.9", 8080)), endpoint);
    JsonNode jobs = yaml.readTree(text).path("scrape_configs");
    assertThat(jobs).hasSize(2);
    JsonNode members = jobs.get(0);
    assertThat(members.path("job_name").asText()).isEqualTo("ballot-members");
    assertThat(members.path("scheme").asText()).isEqualTo("http");
    assertThat(members.path("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(members.has("tls_config")).as("the metrics port never speaks TLS").isFalse();
    assertThat(members.path("file_sd_configs").get(0).path("files").get(0).asText()).isEqualTo("/p/members.json");
    assertThat(members.path("file_sd_configs").get(0).path("refresh_interval").asText()).isEqualTo("5s");
    assertThat(jobs.get(1).path("job_name").asText()).isEqualTo("ballot-operator");
    assertThat(jobs.get(1).has("scheme")).as("the operator's metrics stay plain HTTP").isFalse();
  }

  @Test
  void theTargetPortIsThePodsContainerPortOfThePodMonitorsName() {
    Pod pod = new PodBuilder().withNewMetadata().withName("ec-0").endMetadata().withNewSpec().addNewContainer()
        .withName("node").addNewPort().withName("http").withContainerPort(8080).endPort()
        .addNewPort().withName("metrics").withContainerPort(9180).endPort().endContainer().endSpec().build();
    assertThat(PrometheusMonitoring.containerPort(pod, "metrics")).isEqualTo(9180);
    assertThatThrownBy(() -> PrometheusMonitoring.containerPort(pod, "prom")).hasMessageContaining("ec-0")
        .hasMessageContaining("'prom'");
  }

  /** Surefire runs in e2e/ (as MonitoringFilesTest assumes). */
  private static Path repo() {
    return Path.of("").toAbsolutePath().getParent();
  }
}
