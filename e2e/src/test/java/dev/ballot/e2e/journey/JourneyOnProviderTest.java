package dev.ballot.e2e.journey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.e2e.provider.Cluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which scenarios a provider runs: none that it cannot (a TLS cluster where pods get no Secret volumes). */
class JourneyOnProviderTest {
  private static final List<String> TLS_SCENARIOS = List.of("create-tls", "security", "cert-rotation");

  @Test
  void theTlsScenariosRunOnlyWherePodsGetTheirSecretVolumes() {
    List<String> withSecrets = names(Journey.standard().on(provider(true)));
    assertThat(withSecrets).containsAll(TLS_SCENARIOS).contains("create-raft", "delete");
    List<String> withoutSecrets = names(Journey.standard().on(provider(false)));
    assertThat(withoutSecrets).doesNotContainAnyElementsOf(TLS_SCENARIOS)
        .as("everything else is still run").contains("create-raft", "create-zab", "leader-failover-raft", "delete");
  }

  private static List<String> names(Journey journey) {
    return journey.scenarios().stream().map(Scenario::name).toList();
  }

  /** Only what Journey.on asks of a provider; nothing here is ever started. */
  private static Cluster provider(boolean mountsSecrets) {
    return new Cluster() {
      @Override
      public Path adminKubeconfig() {
        throw new UnsupportedOperationException();
      }

      @Override
      public KubernetesClient admin() {
        throw new UnsupportedOperationException();
      }

      @Override
      public OperatorMode operatorMode() {
        return OperatorMode.IN_CLUSTER;
      }

      @Override
      public InetSocketAddress reach(Pod pod, int port) {
        throw new UnsupportedOperationException();
      }

      @Override
      public String crash(Pod pod) {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean mountsSecretVolumes() {
        return mountsSecrets;
      }

      @Override
      public void close() {
      }
    };
  }
}
