package dev.ballot.e2e.provider;

import dev.ballot.e2e.kubelet.HostsFile;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cluster DNS for a process on the host (the operator run as a local process on a real node): the pods' and
 * Services' names rendered into a hosts file every 500 ms, as the process kubelet does for its pods. Pods on the
 * node resolve through CoreDNS; only the host, which has no cluster resolver, needs this.
 */
final class ClusterHostsFile implements AutoCloseable {
  private final KubernetesClient client;
  private final Path file;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "hosts-file");
    t.setDaemon(true);
    return t;
  });

  ClusterHostsFile(KubernetesClient client, Path file) {
    this.client = client;
    this.file = file;
  }

  Path file() {
    return file;
  }

  ClusterHostsFile start() throws IOException {
    write();
    timer.scheduleWithFixedDelay(() -> {
      try {
        write();
      } catch (Exception e) {
        if (!timer.isShutdown()) {
          System.err.println("hosts file: " + e.getMessage());
        }
      }
    }, 500, 500, TimeUnit.MILLISECONDS);
    return this;
  }

  private void write() throws IOException {
    List<HostsFile.PodEntry> pods = new ArrayList<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
        pods.add(new HostsFile.PodEntry(p.getMetadata().getNamespace(), p.getMetadata().getName(), p.getStatus().getPodIP(),
            p.getSpec().getHostname(), p.getSpec().getSubdomain(), p.getMetadata().getLabels(), ready(p)));
      }
    }
    List<HostsFile.ServiceEntry> services = new ArrayList<>();
    for (Service s : client.services().inAnyNamespace().list().getItems()) {
      services.add(new HostsFile.ServiceEntry(s.getMetadata().getNamespace(), s.getMetadata().getName(),
          s.getSpec().getSelector(), Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses())));
    }
    String text = HostsFile.render("cluster.local", List.of(), pods, services);
    if (Files.exists(file) && Files.readString(file).equals(text)) {
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean ready(Pod p) {
    List<PodCondition> conditions = p.getStatus().getConditions();
    return conditions != null && conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
