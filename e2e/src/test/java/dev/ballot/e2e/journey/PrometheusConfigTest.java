package dev.ballot.e2e.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Prometheus configuration of the journey's `prometheus` scenario, read back as YAML. */
class PrometheusConfigTest {
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  private JsonNode members(Optional<String> tls) throws Exception {
    String text = PrometheusMonitoring.config(Path.of("/r/rules.yaml"), Path.of("/p/members.json"),
        Optional.of(new InetSocketAddress("10.0.0.9", 8080)), tls);
    JsonNode jobs = yaml.readTree(text).path("scrape_configs");
    assertThat(jobs).hasSize(2);
    assertThat(jobs.get(1).path("job_name").asText()).isEqualTo("ballot-operator");
    assertThat(jobs.get(1).has("scheme")).as("the operator's metrics stay plain HTTP").isFalse();
    return jobs.get(0);
  }

  @Test
  void aPlainClusterIsScrapedOverHttp() throws Exception {
    JsonNode job = members(Optional.empty());
    assertThat(job.path("job_name").asText()).isEqualTo("ballot-members");
    assertThat(job.has("scheme")).isFalse();
    assertThat(job.path("file_sd_configs").get(0).path("files").get(0).asText()).isEqualTo("/p/members.json");
  }

  @Test
  void aTlsClusterIsScrapedOverHttpsWithItsCaAndTheNameEveryMemberCertificateCarries() throws Exception {
    JsonNode job = members(Optional.of(PrometheusMonitoring.membersTls(Path.of("/t/ca.crt"), "raft-3-client.e2e.svc")));
    assertThat(job.path("job_name").asText()).isEqualTo("ballot-members");
    assertThat(job.path("scheme").asText()).isEqualTo("https");
    assertThat(job.path("tls_config").path("ca_file").asText()).isEqualTo("/t/ca.crt");
    assertThat(job.path("tls_config").path("server_name").asText()).isEqualTo("raft-3-client.e2e.svc");
    assertThat(job.path("file_sd_configs").get(0).path("refresh_interval").asText()).isEqualTo("5s");
  }
}
