package dev.ballot.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.e2e.kubelet.HostsFile.PodEntry;
import dev.ballot.e2e.kubelet.HostsFile.ServiceEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostsFileTest {
  private static final Map<String, String> LABELS = Map.of("app.kubernetes.io/instance", "ec-raft");

  @Test
  void resolvesStatefulSetPodsThroughTheirHeadlessServiceNames() {
    String hosts = HostsFile.render("cluster.local", List.of("vm"),
        List.of(new PodEntry("default", "ec-raft-0", "127.0.1.1", "ec-raft-0", "ec-raft-peers", LABELS, false)),
        List.of());
    assertThat(hosts).contains("127.0.0.1 localhost vm\n")
        .contains("127.0.1.1 ec-raft-0.ec-raft-peers.default.svc.cluster.local ec-raft-0.ec-raft-peers.default.svc "
            + "ec-raft-0.ec-raft-peers.default ec-raft-0.ec-raft-peers\n");
  }

  @Test
  void aClusterIpServiceListsOnlyReadyPodsAHeadlessOnePublishingNotReadyListsAll() {
    List<PodEntry> pods = List.of(
        new PodEntry("default", "ec-raft-0", "127.0.1.1", null, null, LABELS, true),
        new PodEntry("default", "ec-raft-1", "127.0.1.2", null, null, LABELS, false),
        new PodEntry("other", "ec-raft-0", "127.0.1.3", null, null, LABELS, true));
    String hosts = HostsFile.render("cluster.local", List.of(), pods, List.of(
        new ServiceEntry("default", "ec-raft-client", Map.of("app.kubernetes.io/instance", "ec-raft"), false),
        new ServiceEntry("default", "ec-raft-peers", Map.of("app.kubernetes.io/instance", "ec-raft"), true)));
    assertThat(hosts).contains("127.0.1.1 ec-raft-client.default.svc.cluster.local")
        .doesNotContain("127.0.1.2 ec-raft-client")
        .doesNotContain("127.0.1.3 ec-raft-client")
        .contains("127.0.1.1 ec-raft-peers.default.svc.cluster.local")
        .contains("127.0.1.2 ec-raft-peers.default.svc.cluster.local");
  }

  @Test
  void podsWithoutAnAddressYetAndServicesWithoutSelectorAreLeftOut() {
    String hosts = HostsFile.render("cluster.local", List.of(),
        List.of(new PodEntry("default", "p", null, "p", "s", LABELS, true)),
        List.of(new ServiceEntry("default", "external", Map.of(), false)));
    assertThat(hosts.lines()).hasSize(2); // the header and localhost
  }
}
