package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * A kubelet for test clusters without containers: registers Nodes (with Leases), runs the pods the
 * scheduler binds to them as local processes on their own loopback addresses, keeps pod status true,
 * serves cluster DNS names through a hosts file, and provisions volume claims as local directories.
 */
public final class ProcessKubelet implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ProcessKubelet.class.getName());
  public static final String HOST_IP = "127.0.0.1";

  public record Options(Path stateDir, List<String> nodeNames, ContainerLaunch.ImageMap images, String clusterDomain,
                        String kubernetesVersion) {}

  private final KubernetesClient client;
  private final Options options;
  private final KubeletContext ctx;
  private final Set<String> nodes;
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4, r -> {
    Thread t = new Thread(r, "process-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final AtomicBoolean hostsDirty = new AtomicBoolean(true);
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<Pod> podInformer;
  private SharedIndexInformer<Service> serviceInformer;
  private volatile boolean closed;

  public ProcessKubelet(KubernetesClient client, Options options) {
    this.client = client;
    this.options = options;
    this.nodes = Set.copyOf(options.nodeNames());
    this.ctx = new KubeletContext(options.stateDir(), HOST_IP, options.images(), LoopbackAddressPool.forThisRun());
  }

  /** The hosts file every JVM started on this kubelet reads as its DNS (pass it to others, e.g. the operator). */
  public Path hostsFile() {
    return options.stateDir().resolve("hosts");
  }

  /** JVM options that make a Java process resolve cluster names through the hosts file at once. */
  public static List<String> dnsJvmOptions(Path hostsFile) {
    // java.security sets networkaddress.cache.negative.ttl=10, which a system property cannot undo: a name
    // looked up before its pod had an address would stay unknown for 10 s. An extra security file can.
    Path security = hostsFile.resolveSibling("dns.security");
    try {
      Files.createDirectories(hostsFile.getParent());
      Files.writeString(security, "networkaddress.cache.ttl=0\nnetworkaddress.cache.negative.ttl=0\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of("-Djdk.net.hosts.file=" + hostsFile, "-Djava.security.properties=" + security,
        "-Dsun.net.inetaddr.ttl=0", "-Dsun.net.inetaddr.negative.ttl=0", "-Dvertx.disableDnsResolver=true");
  }

  public void start() throws IOException {
    Files.createDirectories(options.stateDir());
    writeHosts();
    for (String node : options.nodeNames()) {
      registerNode(node);
    }
    scheduler.scheduleWithFixedDelay(this::renewLeases, 0, 10, TimeUnit.SECONDS);
    podInformer = client.pods().inAnyNamespace().inform(EventHandlers.of(this::onPod, this::onPodGone), 30_000);
    serviceInformer = client.services().inAnyNamespace()
        .inform(EventHandlers.<Service>of(s -> hostsDirty.set(true), s -> hostsDirty.set(true)), 30_000);
    informers.add(client.configMaps().inAnyNamespace().inform(
        refreshMounted(ConfigMap::getData, PodRunner::mountsConfigMap, PodRunner::refreshConfigMap), 60_000));
    informers.add(client.secrets().inAnyNamespace().inform(
        refreshMounted(Secret::getData, PodRunner::mountsSecret, PodRunner::refreshSecret), 60_000));
    informers.add(podInformer);
    informers.add(serviceInformer);
    informers.add(client.persistentVolumeClaims().inAnyNamespace().inform(EventHandlers.of(this::provision, this::release), 30_000));
    scheduler.scheduleWithFixedDelay(this::probeAll, 100, 100, TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(this::recreatePodsStuckOnBoundClaims, 2, 2, TimeUnit.SECONDS);
    scheduler.scheduleWithFixedDelay(() -> {
      if (hostsDirty.getAndSet(false)) {
        writeHosts();
      }
    }, 50, 50, TimeUnit.MILLISECONDS);
    LOG.info(() -> "process kubelet up: nodes " + options.nodeNames() + ", state " + options.stateDir());
  }

  // ---- nodes and leases --------------------------------------------------------------------------

  private void registerNode(String node) {
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity("16"), "memory", new Quantity("64Gi"),
        "pods", new Quantity("110"), "ephemeral-storage", new Quantity("100Gi"));
    var desired = new NodeBuilder().withNewMetadata().withName(node)
        .addToLabels("kubernetes.io/hostname", node).addToLabels("kubernetes.io/os", "linux")
        .addToLabels("kubernetes.io/arch", "amd64").addToLabels("ballot.dev/process-kubelet", "true")
        .endMetadata().build();
    if (client.nodes().withName(node).get() == null) {
      client.nodes().resource(desired).create();
    }
    client.nodes().withName(node).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        Serialization.asJson(Map.of("status", new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .withCapacity(capacity).withAllocatable(capacity)
            .withConditions(nodeConditions())
            .addNewAddress().withType("InternalIP").withAddress(HOST_IP).endAddress()
            .addNewAddress().withType("Hostname").withAddress(node).endAddress()
            .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(10250).endKubeletEndpoint().endDaemonEndpoints()
            .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
            .withKubeletVersion(options.kubernetesVersion()).withKubeProxyVersion("")
            .withContainerRuntimeVersion("process://" + Runtime.version()).withOsImage("process kubelet (Ballot e2e)")
            .withKernelVersion(System.getProperty("os.version")).withMachineID(node).withSystemUUID(node).withBootID(node)
            .endNodeInfo().build())));
  }

  private static List<NodeCondition> nodeConditions() {
    String now = PodRunner.now();
    List<NodeCondition> out = new ArrayList<>();
    for (String[] c : new String[][] {{"MemoryPressure", "False", "KubeletHasSufficientMemory"},
        {"DiskPressure", "False", "KubeletHasNoDiskPressure"}, {"PIDPressure", "False", "KubeletHasSufficientPID"},
        {"Ready", "True", "KubeletReady"}}) {
      out.add(new NodeConditionBuilder().withType(c[0]).withStatus(c[1]).withReason(c[2])
          .withLastHeartbeatTime(now).withLastTransitionTime(now).build());
    }
    return out;
  }

  /**
   * On a change of a ConfigMap's or Secret's data, rewrites its files in every running pod that mounts it, as the
   * kubelet's volume sync does.
   */
  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> ResourceEventHandler<T> refreshMounted(
      java.util.function.Function<T, Map<String, String>> data,
      java.util.function.BiPredicate<PodRunner, String> mounts,
      java.util.function.BiConsumer<PodRunner, String> refresh) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {}

      @Override
      public void onUpdate(T old, T object) {
        if (java.util.Objects.equals(data.apply(old), data.apply(object))) {
          return;
        }
        String name = object.getMetadata().getName();
        for (PodRunner r : runners.values()) {
          if (r.namespace.equals(object.getMetadata().getNamespace()) && mounts.test(r, name)) {
            scheduler.execute(() -> refresh.accept(r, name));
          }
        }
      }

      @Override
      public void onDelete(T object, boolean unknown) {}
    };
  }

  private void renewLeases() {
    for (String node : options.nodeNames()) {
      try {
        Lease lease = client.resources(Lease.class).inNamespace("kube-node-lease").withName(node).get();
        ZonedDateTime now = ZonedDateTime.now(java.time.ZoneOffset.UTC);
        if (lease == null) {
          client.resources(Lease.class).inNamespace("kube-node-lease").resource(new LeaseBuilder()
              .withNewMetadata().withName(node).withNamespace("kube-node-lease").endMetadata()
              .withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(40).withRenewTime(now).endSpec()
              .build()).create();
        } else {
          lease.getSpec().setRenewTime(now);
          client.resources(Lease.class).inNamespace("kube-node-lease").resource(lease).update();
        }
      } catch (KubernetesClientException e) {
        if (!closed) {
          LOG.warning(() -> "lease renewal for " + node + " failed: " + e.getMessage());
        }
      }
    }
  }

  // ---- pods ---------------------------------------------------------------------------------------

  private void onPod(Pod pod) {
    hostsDirty.set(true);
    if (closed || pod.getSpec().getNodeName() == null || !nodes.contains(pod.getSpec().getNodeName())) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    PodRunner runner = runners.get(uid);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (runner == null) {
        scheduler.execute(() -> finishDeletion(pod));
      } else if (!runner.terminating()) {
        runner.update(pod);
        long grace = runner.graceSeconds();
        new Thread(() -> {
          runner.terminate(grace);
          runners.remove(uid);
          hostsDirty.set(true);
          finishDeletion(pod);
        }, "terminate-" + pod.getMetadata().getName()).start();
      }
      return;
    }
    if (runner != null) {
      runner.update(pod);
      return;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return;
    }
    PodRunner created = new PodRunner(client, ctx, scheduler, http, pod);
    if (runners.putIfAbsent(uid, created) == null) {
      hostsDirty.set(true);
      scheduler.execute(created::start);
    }
  }

  private void onPodGone(Pod pod) {
    hostsDirty.set(true);
    PodRunner runner = runners.remove(pod.getMetadata().getUid());
    if (runner != null && !runner.terminating()) {
      new Thread(() -> runner.terminate(0), "kill-" + pod.getMetadata().getName()).start();
    }
  }

  /**
   * The final delete of a pod whose processes are gone, with the pod's uid as precondition (as a kubelet does): a
   * late watch event of a deleted pod must not delete the StatefulSet's replacement, which has the same name.
   */
  private void finishDeletion(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    String uri = "/api/v1/namespaces/" + ns + "/pods/" + name;
    try {
      client.raw(uri, "DELETE", Map.of("kind", "DeleteOptions", "apiVersion", "v1", "gracePeriodSeconds", 0,
          "preconditions", Map.of("uid", pod.getMetadata().getUid())));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) { // gone already, or the name now holds a replacement
        LOG.warning(() -> "final delete of pod " + name + " failed: " + e.getMessage());
      }
    }
  }

  private void probeAll() {
    for (PodRunner r : runners.values()) {
      try {
        boolean wasReady = r.ready();
        r.probe();
        if (wasReady != r.ready()) {
          hostsDirty.set(true);
        }
      } catch (RuntimeException e) {
        LOG.warning(() -> "probe of " + r.name + " failed: " + e);
      }
    }
  }

  /** The running pod with this name, for fault scenarios. */
  public Optional<PodRunner> runner(String namespace, String name) {
    return runners.values().stream().filter(r -> r.namespace.equals(namespace) && r.name.equals(name)
        && !r.terminating()).findFirst();
  }

  /** SIGKILLs the pod's (first or named) container as a crash would; returns the killed pid. */
  public long crashContainer(String namespace, String podName, String container) {
    PodRunner r = runner(namespace, podName)
        .orElseThrow(() -> new IllegalStateException("no pod " + namespace + "/" + podName + " runs on this kubelet"));
    return r.killContainer(container);
  }

  /** Sends a signal (STOP, CONT, ...) to the pod's first container's process; returns its pid. */
  public long signalContainer(String namespace, String podName, String signal) throws IOException, InterruptedException {
    PodRunner r = runner(namespace, podName)
        .orElseThrow(() -> new IllegalStateException("no pod " + namespace + "/" + podName + " runs on this kubelet"));
    long pid = r.containerPid();
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + signal + " " + pid + " exited with " + kill.exitValue());
    }
    return pid;
  }

  // ---- DNS ----------------------------------------------------------------------------------------

  private void writeHosts() {
    try {
      List<HostsFile.PodEntry> pods = new ArrayList<>();
      if (podInformer != null) {
        for (Pod p : podInformer.getStore().list()) {
          PodRunner r = runners.get(p.getMetadata().getUid());
          String ip = r != null && !r.terminating() ? r.ip : p.getStatus() == null ? null : p.getStatus().getPodIP();
          if (r == null && p.getSpec().getNodeName() != null && nodes.contains(p.getSpec().getNodeName())) {
            ip = null; // ours but not running: its address is gone
          }
          boolean ready = r != null ? r.ready() : isReady(p);
          pods.add(new HostsFile.PodEntry(p.getMetadata().getNamespace(), p.getMetadata().getName(), ip,
              p.getSpec().getHostname(), p.getSpec().getSubdomain(), p.getMetadata().getLabels(), ready));
        }
      }
      List<HostsFile.ServiceEntry> services = new ArrayList<>();
      if (serviceInformer != null) {
        for (Service s : serviceInformer.getStore().list()) {
          services.add(new HostsFile.ServiceEntry(s.getMetadata().getNamespace(), s.getMetadata().getName(),
              s.getSpec().getSelector(), Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses())));
        }
      }
      String text = HostsFile.render(options.clusterDomain(), hostAliases(), pods, services);
      Path target = hostsFile();
      if (Files.exists(target) && Files.readString(target).equals(text)) {
        return;
      }
      Path tmp = target.resolveSibling("hosts.tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isReady(Pod p) {
    if (p.getStatus() == null || p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if (c.getType().equals("Ready")) {
        return c.getStatus().equals("True");
      }
    }
    return false;
  }

  private static List<String> hostAliases() {
    try {
      return List.of(InetAddress.getLocalHost().getHostName());
    } catch (UnknownHostException e) {
      return List.of();
    }
  }

  // ---- volumes ------------------------------------------------------------------------------------

  /**
   * A pod the scheduler found with a claim not yet bound is parked as unschedulable; once our provisioner
   * binds the claim, kube-scheduler v1.34 sometimes never retries it (seen in 1 of 3 e2e runs: a member
   * Pending for minutes with every claim Bound). Deleting such a pod lets its StatefulSet recreate it, and
   * the new pod schedules at once. Only pods parked for a few seconds with all their claims Bound qualify.
   */
  private void recreatePodsStuckOnBoundClaims() {
    if (closed) {
      return;
    }
    try {
      for (Pod pod : client.pods().inAnyNamespace().withField("spec.nodeName", "").list().getItems()) {
        if (parkedOnBoundClaims(pod)) {
          LOG.warning(() -> "recreating " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
              + ": unschedulable for unbound claims that are all Bound now (kube-scheduler did not retry it)");
          client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
              .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
        }
      }
    } catch (KubernetesClientException e) {
      LOG.fine(() -> "stuck-pod sweep: " + e.getMessage());
    }
  }

  private boolean parkedOnBoundClaims(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
        || pod.getStatus().getConditions() == null || pod.getMetadata().getOwnerReferences().isEmpty()) {
      return false;
    }
    Optional<PodCondition> parked = pod.getStatus().getConditions().stream()
        .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
            && "Unschedulable".equals(c.getReason()) && c.getMessage() != null
            && c.getMessage().contains("unbound immediate PersistentVolumeClaims"))
        .findFirst();
    if (parked.isEmpty() || parked.get().getLastTransitionTime() == null
        || ZonedDateTime.parse(parked.get().getLastTransitionTime()).isAfter(ZonedDateTime.now().minusSeconds(3))) {
      return false;
    }
    List<String> claims = pod.getSpec().getVolumes().stream()
        .filter(v -> v.getPersistentVolumeClaim() != null)
        .map(v -> v.getPersistentVolumeClaim().getClaimName()).toList();
    return !claims.isEmpty() && claims.stream().allMatch(claim -> {
      PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(pod.getMetadata().getNamespace())
          .withName(claim).get();
      return pvc != null && pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase());
    });
  }

  /**
   * A deleted claim's data goes with it, as with a real provisioner's new volume for the next claim of that name: its
   * directory is moved aside (kept for a post-mortem, like a Retain PV), so a new claim of the same name starts empty.
   */
  private void release(PersistentVolumeClaim pvc) {
    Path dir = ctx.claimDir(pvc.getMetadata().getNamespace(), pvc.getMetadata().getName());
    if (!Files.isDirectory(dir)) {
      return;
    }
    Path aside = dir.resolveSibling(dir.getFileName() + ".released-" + pvc.getMetadata().getUid());
    try {
      Files.move(dir, aside);
      LOG.info(() -> "claim " + pvc.getMetadata().getNamespace() + "/" + pvc.getMetadata().getName()
          + " deleted: its directory moved to " + aside);
    } catch (IOException e) {
      LOG.warning(() -> "moving the deleted claim's directory " + dir + " aside failed: " + e.getMessage());
    }
  }

  /** Binds a pending claim to a new hostPath PV on a directory of its own (a local provisioner). */
  private void provision(PersistentVolumeClaim pvc) {
    if (closed || pvc.getSpec().getVolumeName() != null && !pvc.getSpec().getVolumeName().isEmpty()
        || pvc.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    String ns = pvc.getMetadata().getNamespace();
    String name = pvc.getMetadata().getName();
    String pvName = "pvc-" + pvc.getMetadata().getUid();
    if (client.persistentVolumes().withName(pvName).get() != null) {
      return;
    }
    Path dir = ctx.claimDir(ns, name);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Quantity size = pvc.getSpec().getResources() != null && pvc.getSpec().getResources().getRequests() != null
        ? pvc.getSpec().getResources().getRequests().getOrDefault("storage", new Quantity("1Gi")) : new Quantity("1Gi");
    try {
      client.persistentVolumes().resource(new PersistentVolumeBuilder().withNewMetadata().withName(pvName)
          .addToLabels("ballot.dev/process-kubelet", "true").endMetadata()
          .withNewSpec().withCapacity(Map.of("storage", size)).withAccessModes(pvc.getSpec().getAccessModes())
          .withStorageClassName(pvc.getSpec().getStorageClassName() == null ? "" : pvc.getSpec().getStorageClassName())
          .withPersistentVolumeReclaimPolicy("Retain").withNewHostPath().withPath(dir.toString()).withType("DirectoryOrCreate").endHostPath()
          .withNewClaimRef().withNamespace(ns).withName(name).withUid(pvc.getMetadata().getUid()).endClaimRef()
          .endSpec().build()).create();
      LOG.info(() -> "provisioned " + pvName + " for claim " + ns + "/" + name + " at " + dir);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.warning(() -> "provisioning for claim " + ns + "/" + name + " failed: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::close);
    List<Thread> stops = new ArrayList<>();
    for (PodRunner r : runners.values()) {
      Thread t = new Thread(() -> r.terminate(Math.min(r.graceSeconds(), 5)));
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    runners.clear();
    scheduler.shutdownNow();
  }
}
