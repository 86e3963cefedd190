package dev.ballot.e2e.provider;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reaching and crashing pods without knowing the provider: a pod on a process kubelet has a loopback
 * address and a {@code process://<pid>} container id on this machine; any other pod is reached through
 * a port-forward and crashed by a forced delete (the closest a client gets to SIGKILL).
 */
final class PodAccess implements AutoCloseable {
  private final KubernetesClient client;
  private final Map<String, LocalPortForward> forwards = new ConcurrentHashMap<>();

  PodAccess(KubernetesClient client) {
    this.client = client;
  }

  InetSocketAddress reach(Pod pod, int port) throws Exception {
    String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
    if (ip != null && InetAddress.getByName(ip).isLoopbackAddress()) {
      return new InetSocketAddress(ip, port);
    }
    String key = pod.getMetadata().getUid() + ":" + port;
    LocalPortForward fwd = forwards.computeIfAbsent(key, k -> client.pods()
        .inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).portForward(port));
    return new InetSocketAddress("127.0.0.1", fwd.getLocalPort());
  }

  String crash(Pod pod) {
    Optional<Long> pid = localPid(pod);
    if (pid.isPresent()) {
      ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroyForcibly);
      return "SIGKILL pid " + pid.get();
    }
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .withGracePeriod(0).delete();
    return "forced delete (grace 0)";
  }

  static Optional<Long> localPid(Pod pod) {
    List<ContainerStatus> statuses = pod.getStatus() == null ? null : pod.getStatus().getContainerStatuses();
    if (statuses == null || statuses.isEmpty() || statuses.get(0).getContainerID() == null) {
      return Optional.empty();
    }
    String id = statuses.get(0).getContainerID();
    if (!id.startsWith("process://")) {
      return Optional.empty();
    }
    long pid = Long.parseLong(id.substring("process://".length()));
    return ProcessHandle.of(pid).isPresent() ? Optional.of(pid) : Optional.empty();
  }

  @Override
  public void close() {
    forwards.values().forEach(f -> {
      try {
        f.close();
      } catch (Exception ignored) {
        // closing a forward of a pod that is gone
      }
    });
  }
}
