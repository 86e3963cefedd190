package dev.ballot.e2e.journey;

import dev.ballot.e2e.kubelet.EventHandlers;
import dev.ballot.e2e.journey.RollingUpdateHistory.ClusterSeen;
import dev.ballot.e2e.journey.RollingUpdateHistory.LeaderClaim;
import dev.ballot.e2e.journey.RollingUpdateHistory.OperatorEvent;
import dev.ballot.e2e.journey.RollingUpdateHistory.PodSeen;
import dev.ballot.nodeapi.StatusReport;
import dev.ballot.nodeapi.StatusSubscription;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches one ElectionCluster while it rolls: its pods (informer), its members' own status streams
 * ({@code /v1/status/events}, one per pod, reconnecting to the pod's new address after a restart), the operator's
 * Events on it, and its status. Everything goes into a {@link RollingUpdateHistory}; the current pods also give
 * the writer its addresses.
 */
final class RollingUpdateRecorder implements AutoCloseable {
  private final JourneyContext ctx;
  private final String ec;
  /** The members' client port (etcd's or ZooKeeper's), where the writer writes. */
  private final int clientPort;
  private final RollingUpdateHistory history;
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final Map<String, Thread> streams = new ConcurrentHashMap<>();
  private final Set<StatusSubscription> open = ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private volatile List<InetSocketAddress> clientAddresses = List.of();
  private volatile boolean closed;

  RollingUpdateRecorder(JourneyContext ctx, String ec, Set<String> members) {
    this.ctx = ctx;
    this.ec = ec;
    this.history = new RollingUpdateHistory(members);
    this.clientPort = ctx.clientPort(ec);
  }

  RollingUpdateHistory history() {
    return history;
  }

  RollingUpdateRecorder start() {
    KubernetesClient k = ctx.cluster().admin();
    String ns = ctx.namespace();
    Set<String> oldEvents = new HashSet<>();
    k.v1().events().inNamespace(ns).withField("involvedObject.name", ec).list().getItems()
        .forEach(e -> oldEvents.add(e.getMetadata().getName()));
    informers.add(k.v1().events().inNamespace(ns).withField("involvedObject.name", ec)
        .inform(EventHandlers.onChange((Event e) -> {
          // the StatefulSet has the cluster's name too: only the operator's Events on the ElectionCluster count
          if (!oldEvents.contains(e.getMetadata().getName())
              && JourneyContext.KIND.equals(e.getInvolvedObject().getKind())) {
            history.add(new OperatorEvent(System.currentTimeMillis(), e.getReason(), e.getMessage()));
          }
        })));
    informers.add(k.genericKubernetesResources(JourneyContext.GROUP_VERSION, JourneyContext.KIND).inNamespace(ns)
        .withName(ec).inform(EventHandlers.onChange(this::clusterSeen)));
    informers.add(k.pods().inNamespace(ns).withLabel("app.kubernetes.io/instance", ec)
        .inform(EventHandlers.<Pod>of(pod -> podSeen(pod, false), pod -> podSeen(pod, true))));
    return this;
  }

  /** Addresses of the pods that are Ready and not terminating, for the writer. */
  List<InetSocketAddress> clientAddresses() {
    return clientAddresses;
  }

  /** The current pods by name (deleted ones removed). */
  Map<String, Pod> pods() {
    return Map.copyOf(pods);
  }

  private synchronized void podSeen(Pod pod, boolean gone) {
    String name = pod.getMetadata().getName();
    history.add(new PodSeen(System.currentTimeMillis(), name, pod.getMetadata().getUid(), revision(pod), ready(pod),
        pod.getMetadata().getDeletionTimestamp() != null, gone));
    if (gone) {
      pods.computeIfPresent(name, (n, p) -> p.getMetadata().getUid().equals(pod.getMetadata().getUid()) ? null : p);
    } else {
      pods.put(name, pod);
      streams.computeIfAbsent(name, n -> {
        Thread t = new Thread(() -> followStatus(n), "status-" + n);
        t.setDaemon(true);
        t.start();
        return t;
      });
    }
    List<InetSocketAddress> addrs = new ArrayList<>();
    for (Pod p : new TreeMap<>(pods).values()) {
      InetSocketAddress a = address(p, clientPort);
      if (a != null && ready(p) && p.getMetadata().getDeletionTimestamp() == null) {
        addrs.add(a);
      }
    }
    clientAddresses = List.copyOf(addrs);
  }

  private InetSocketAddress address(Pod p, int port) {
    if (p == null || p.getStatus() == null || p.getStatus().getPodIP() == null) {
      return null;
    }
    try {
      return ctx.cluster().reach(p, port);
    } catch (Exception e) {
      return null;
    }
  }

  /** Follows one member's status stream for as long as the recorder runs, across restarts of its pod. */
  private void followStatus(String name) {
    while (!closed) {
      InetSocketAddress a = address(pods.get(name), JourneyContext.HTTP_PORT);
      if (a == null) {
        pause(100);
        continue;
      }
      StatusSubscription stream = NodeApi.at(a).subscribeStatus(s -> statusSeen(name, s));
      open.add(stream);
      try {
        stream.done().join();
      } catch (RuntimeException e) {
        // the pod is restarting or not listening yet
      } finally {
        open.remove(stream);
      }
      pause(100);
    }
  }

  private void statusSeen(String pod, StatusReport s) {
    if (s.leads() && s.leaderSince() != null) {
      history.add(new LeaderClaim(System.currentTimeMillis(), pod, s.term(), s.leaderSinceInstant().toEpochMilli()));
    } else {
      history.add("member " + pod + " at " + System.currentTimeMillis() + ": " + s.role() + " term "
          + s.term() + " leader " + s.leaderId());
    }
  }

  @SuppressWarnings("unchecked")
  private void clusterSeen(GenericKubernetesResource r) {
    Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().get("status");
    if (status == null) {
      return;
    }
    String readyStatus = null;
    long readyGen = -1;
    String degraded = null;
    String degradedReason = null;
    Object conditions = status.get("conditions");
    if (conditions instanceof List<?> list) {
      for (Object o : list) {
        Map<String, Object> c = (Map<String, Object>) o;
        if ("Ready".equals(c.get("type"))) {
          readyStatus = String.valueOf(c.get("status"));
          readyGen = c.get("observedGeneration") == null ? -1 : Long.parseLong(String.valueOf(c.get("observedGeneration")));
        } else if ("Degraded".equals(c.get("type"))) {
          degraded = String.valueOf(c.get("status"));
          degradedReason = String.valueOf(c.get("reason"));
        }
      }
    }
    Map<String, Object> rollout = status.get("rollout") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    history.add(new ClusterSeen(System.currentTimeMillis(), r.getMetadata().getGeneration(),
        status.get("leader") == null ? null : String.valueOf(status.get("leader")),
        status.get("term") == null ? null : Long.parseLong(String.valueOf(status.get("term"))),
        readyStatus, readyGen, degraded, degradedReason, String.valueOf(rollout.getOrDefault("step", "")),
        String.valueOf(rollout.getOrDefault("blockedBy", ""))));
  }

  static String revision(Pod p) {
    return p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("controller-revision-hash");
  }

  static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private void pause(long ms) {
    synchronized (this) {
      try {
        wait(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::close);
    open.forEach(StatusSubscription::cancel);
    streams.values().forEach(Thread::interrupt);
  }
}
