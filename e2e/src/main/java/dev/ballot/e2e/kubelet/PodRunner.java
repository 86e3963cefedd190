package dev.ballot.e2e.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs one pod (one UID) as local processes, one per container, and keeps its API status true:
 * phase, pod IP, conditions and container statuses. Probes run on the shared scheduler; restarts follow
 * the pod's restartPolicy with a short back-off.
 */
final class PodRunner {
  private static final Logger LOG = Logger.getLogger(PodRunner.class.getName());
  private static final long MAX_BACKOFF_MS = 10_000;

  private final KubernetesClient client;
  private final KubeletContext ctx;
  private final ScheduledExecutorService scheduler;
  private final HttpClient http;
  /** For {@code scheme: HTTPS} probes (a TLS cluster's members): one for every pod, made on first use. */
  private static final class HttpsProbes {
    static final HttpClient CLIENT = HttpsProbeClient.create(Duration.ofSeconds(1));
  }
  final String uid;
  final String namespace;
  final String name;
  final String ip;
  private volatile Pod pod;
  private final Path podDir;
  private final Map<String, ContainerRun> containers = new LinkedHashMap<>();
  private final Map<String, Map<String, Path>> mountsByContainer = new HashMap<>();
  private final Map<String, Path> volumeDirs = new java.util.concurrent.ConcurrentHashMap<>();
  private String startTime;
  private String phase = "Pending";
  private int initAttempts;
  private volatile boolean terminating;
  private final Object publishLock = new Object();
  private String lastPublished; // guarded by publishLock

  PodRunner(KubernetesClient client, KubeletContext ctx, ScheduledExecutorService scheduler, HttpClient http, Pod pod) {
    this.client = client;
    this.ctx = ctx;
    this.scheduler = scheduler;
    this.http = http;
    this.pod = pod;
    this.uid = pod.getMetadata().getUid();
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.ip = ctx.addresses().allocate(uid);
    this.podDir = ctx.stateDir().resolve("pods").resolve(namespace + "_" + name + "_" + uid);
    for (Container c : pod.getSpec().getContainers()) {
      containers.put(c.getName(), new ContainerRun(c));
    }
  }

  Pod pod() {
    return pod;
  }

  void update(Pod latest) {
    this.pod = latest;
  }

  synchronized boolean ready() {
    return !terminating && phase.equals("Running") && containers.values().stream().allMatch(ContainerRun::ready);
  }

  boolean terminating() {
    return terminating;
  }

  /** Prepares volumes and starts every container; called once. */
  void start() {
    startTime = now();
    try {
      Files.createDirectories(podDir.resolve("logs"));
      prepareVolumes();
    } catch (RuntimeException | IOException e) {
      LOG.warning(() -> "pod " + namespace + "/" + name + ": cannot prepare volumes: " + e.getMessage());
      synchronized (this) {
        containers.values().forEach(r -> { r.waitingReason = "CreateContainerConfigError"; r.waitingMessage = e.getMessage(); });
      }
      publish();
      scheduler.schedule(this::start, 2, TimeUnit.SECONDS);
      return;
    }
    List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    if (inits.isEmpty()) {
      launchAll();
      return;
    }
    // Init containers run in order, each to completion, before any container starts; off the scheduler's threads.
    Thread t = new Thread(() -> runInitContainers(inits), "init-" + name);
    t.setDaemon(true);
    t.start();
  }

  private void launchAll() {
    synchronized (this) {
      phase = "Running";
    }
    containers.values().forEach(this::launch);
  }

  /** Runs the init containers in order; a failed one is retried (from the first) after a back-off, as the kubelet does. */
  private void runInitContainers(List<Container> inits) {
    for (Container init : inits) {
      if (terminating) {
        return;
      }
      Path log = podDir.resolve("logs").resolve(init.getName() + "-init-" + initAttempts + ".log");
      int exit;
      try {
        ContainerLaunch.Launch launch = ContainerLaunch.of(pod, init, ip, ctx.hostIp(),
            mountsByContainer.getOrDefault(init.getName(), Map.of()), ctx.images(), ctx.lookups(client));
        ProcessBuilder pb = new ProcessBuilder(launch.command());
        pb.environment().keySet().retainAll(List.of("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR", "USER"));
        pb.environment().putAll(launch.env());
        pb.directory(podDir.toFile());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        LOG.info(() -> "pod " + namespace + "/" + name + " init container " + init.getName() + " started pid " + p.pid());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
          p.destroyForcibly();
        }
        exit = p.waitFor();
      } catch (IllegalArgumentException | IOException e) {
        LOG.warning(() -> "pod " + namespace + "/" + name + ": init container " + init.getName() + ": " + e.getMessage());
        exit = -1;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (exit != 0) {
        int code = exit;
        long delay = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(initAttempts++, 4));
        LOG.warning(() -> "pod " + namespace + "/" + name + ": init container " + init.getName() + " exited " + code
            + " (log " + log + "); retrying in " + delay + " ms");
        scheduler.schedule(() -> runInitContainers(inits), delay, TimeUnit.MILLISECONDS);
        return;
      }
    }
    launchAll();
  }

  private void launch(ContainerRun run) {
    synchronized (this) {
      if (terminating) {
        return;
      }
      try {
        ContainerLaunch.Launch launch = ContainerLaunch.of(pod, run.spec, ip, ctx.hostIp(),
            mountsByContainer.getOrDefault(run.spec.getName(), Map.of()), ctx.images(), ctx.lookups(client));
        ProcessBuilder pb = new ProcessBuilder(launch.command());
        pb.environment().keySet().retainAll(List.of("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR", "USER"));
        pb.environment().putAll(launch.env());
        pb.directory(podDir.toFile());
        Path log = podDir.resolve("logs").resolve(run.spec.getName() + "-" + run.restartCount + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        run.stopping = false;
        run.process = pb.start();
        run.state = ContainerRun.State.RUNNING;
        run.startedAt = now();
        run.startedAtMs = System.currentTimeMillis();
        run.exitCode = null;
        run.readiness = run.spec.getReadinessProbe() != null
            ? new ProbeTracker(ContainerRun.probeSpec(run.spec.getReadinessProbe()), run.startedAtMs, false) : null;
        run.liveness = run.spec.getLivenessProbe() != null
            ? new ProbeTracker(ContainerRun.probeSpec(run.spec.getLivenessProbe()), run.startedAtMs, true) : null;
        Process p = run.process;
        LOG.info(() -> "pod " + namespace + "/" + name + " container " + run.spec.getName() + " started pid "
            + p.pid() + " at " + ip + ": " + String.join(" ", launch.command()));
        p.onExit().thenRun(() -> exited(run, p));
      } catch (IllegalArgumentException | IOException e) {
        run.state = ContainerRun.State.WAITING;
        run.waitingReason = e instanceof IOException ? "RunContainerError" : "CreateContainerConfigError";
        run.waitingMessage = e.getMessage();
        LOG.warning(() -> "pod " + namespace + "/" + name + ": " + e.getMessage());
      }
    }
    publish();
  }

  private void exited(ContainerRun run, Process p) {
    long delay;
    synchronized (this) {
      if (run.process != p) {
        return;
      }
      run.exitCode = p.exitValue();
      run.finishedAt = now();
      run.terminatedReason = run.exitCode == 0 ? "Completed" : run.exitCode == 137 ? "Killed" : "Error";
      run.state = ContainerRun.State.TERMINATED;
      if (terminating) {
        publishLater();
        return;
      }
      String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
      boolean restart = policy.equals("Always") || (policy.equals("OnFailure") && run.exitCode != 0);
      if (!restart) {
        boolean allDone = containers.values().stream().allMatch(r -> r.state == ContainerRun.State.TERMINATED);
        if (allDone) {
          boolean allOk = containers.values().stream().allMatch(r -> r.exitCode != null && r.exitCode == 0);
          phase = allOk ? "Succeeded" : "Failed";
          ctx.addresses().release(uid);
        }
        publishLater();
        return;
      }
      run.lastState = run.terminatedState();
      run.restartCount++;
      run.state = ContainerRun.State.WAITING;
      run.waitingReason = run.restartCount > 1 ? "CrashLoopBackOff" : "ContainerCreating";
      delay = run.restartCount <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 250L << Math.min(run.restartCount, 8));
    }
    publishLater();
    scheduler.schedule(() -> launch(run), delay, TimeUnit.MILLISECONDS);
  }

  /** Kills a container's process with SIGKILL (a crash, for fault scenarios); restartPolicy then applies. */
  synchronized long killContainer(String containerName) {
    ContainerRun run = containerName == null ? containers.values().iterator().next() : containers.get(containerName);
    if (run == null || run.process == null || !run.process.isAlive()) {
      throw new IllegalStateException("pod " + namespace + "/" + name + " has no running container " + containerName);
    }
    long pid = run.process.pid();
    run.process.destroyForcibly();
    return pid;
  }

  /** The pid of the first container's running process. */
  synchronized long containerPid() {
    ContainerRun run = containers.values().iterator().next();
    if (run.process == null || !run.process.isAlive()) {
      throw new IllegalStateException("pod " + namespace + "/" + name + " has no running container");
    }
    return run.process.pid();
  }

  /** Runs due probes; called by the kubelet's probe loop. */
  void probe() {
    List<Runnable> checks = new ArrayList<>();
    long nowMs = System.currentTimeMillis();
    synchronized (this) {
      if (terminating) {
        return;
      }
      for (ContainerRun run : containers.values()) {
        if (run.state != ContainerRun.State.RUNNING) {
          continue;
        }
        if (run.readiness != null && run.readiness.due(nowMs)) {
          checks.add(probeCheck(run, run.readiness, run.spec.getReadinessProbe(), () -> run.readiness, nowMs,
              t -> true, this::publish));
        }
        if (run.liveness != null && run.liveness.due(nowMs)) {
          checks.add(probeCheck(run, run.liveness, run.spec.getLivenessProbe(), () -> run.liveness, nowMs,
              t -> !t.passing(), () -> {
                LOG.info(() -> "pod " + namespace + "/" + name + " container " + run.spec.getName() + " failed liveness; restarting");
                stopProcess(run, graceSeconds(), false);
              }));
        }
      }
    }
    checks.forEach(c -> scheduler.execute(c));
  }

  /**
   * One due probe, begun now under the lock and run later off it. Its result counts only while the same process and
   * tracker are current (a restart meanwhile makes it stale); when it changed the tracker and {@code actOn} holds,
   * {@code action} runs (outside the lock).
   */
  private Runnable probeCheck(ContainerRun run, ProbeTracker t, io.fabric8.kubernetes.api.model.Probe probe,
      Supplier<ProbeTracker> current, long nowMs, Predicate<ProbeTracker> actOn, Runnable action) {
    Process p = run.process;
    t.begin(nowMs);
    return () -> {
      boolean ok = runProbe(probe, t.spec().timeoutMs());
      boolean act;
      synchronized (this) {
        act = run.process == p && t == current.get() && recordFresh(t, ok) && actOn.test(t);
      }
      if (act) {
        action.run();
      }
    };
  }

  private static boolean recordFresh(ProbeTracker t, boolean ok) {
    return t.record(ok, System.currentTimeMillis());
  }

  /** httpGet (HTTP or HTTPS) and tcpSocket probes run against the pod IP; exec probes are not run here and pass. */
  private boolean runProbe(io.fabric8.kubernetes.api.model.Probe probe, long timeoutMs) {
    if (probe.getHttpGet() != null) {
      return httpProbe(probe.getHttpGet(), timeoutMs);
    }
    if (probe.getTcpSocket() != null) {
      var port = probe.getTcpSocket().getPort();
      int p = port.getIntVal() != null ? port.getIntVal() : namedPort(port.getStrVal());
      String host = probe.getTcpSocket().getHost() == null || probe.getTcpSocket().getHost().isEmpty() ? ip : probe.getTcpSocket().getHost();
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(host, p), (int) Math.max(200, timeoutMs));
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private boolean httpProbe(HTTPGetAction get, long timeoutMs) {
    int port = get.getPort().getIntVal() != null ? get.getPort().getIntVal() : namedPort(get.getPort().getStrVal());
    String host = get.getHost() == null || get.getHost().isEmpty() ? ip : get.getHost();
    String path = get.getPath() == null ? "/" : get.getPath();
    try {
      boolean https = "HTTPS".equalsIgnoreCase(get.getScheme());
      HttpRequest req = HttpRequest.newBuilder(URI.create((https ? "https://" : "http://") + host + ":" + port + path))
          .timeout(Duration.ofMillis(Math.max(200, timeoutMs))).GET().build();
      int code = (https ? HttpsProbes.CLIENT : http).send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      return code >= 200 && code < 400;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private int namedPort(String portName) {
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() != null) {
        for (var p : c.getPorts()) {
          if (portName.equals(p.getName())) {
            return p.getContainerPort();
          }
        }
      }
    }
    throw new IllegalArgumentException("probe port '" + portName + "' is not a named container port of pod " + name);
  }

  long graceSeconds() {
    Long fromDeletion = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (fromDeletion != null) {
      return fromDeletion;
    }
    Long spec = pod.getSpec().getTerminationGracePeriodSeconds();
    return spec == null ? 30 : spec;
  }

  /** Stops every container (SIGTERM, SIGKILL after the grace period) and frees the pod's address. */
  void terminate(long graceSeconds) {
    synchronized (this) {
      terminating = true;
    }
    List<Thread> stoppers = new ArrayList<>();
    for (ContainerRun run : containers.values()) {
      Thread t = new Thread(() -> stopProcess(run, graceSeconds, true), "stop-" + name + "-" + run.spec.getName());
      t.start();
      stoppers.add(t);
    }
    for (Thread t : stoppers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ctx.addresses().release(uid);
  }

  private void stopProcess(ContainerRun run, long graceSeconds, boolean forGood) {
    Process p;
    synchronized (this) {
      p = run.process;
      run.stopping = forGood;
    }
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy(); // SIGTERM
    try {
      if (!p.waitFor(Math.max(0, graceSeconds), TimeUnit.SECONDS)) {
        p.destroyForcibly(); // SIGKILL
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  // ---- volumes ----------------------------------------------------------------------------------

  private void prepareVolumes() throws IOException {
    Map<String, Path> byVolume = new HashMap<>();
    List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    for (Volume v : volumes) {
      Path dir;
      if (v.getPersistentVolumeClaim() != null) {
        dir = ctx.claimDir(namespace, v.getPersistentVolumeClaim().getClaimName());
      } else if (v.getHostPath() != null) {
        dir = Path.of(v.getHostPath().getPath());
      } else {
        dir = podDir.resolve("volumes").resolve(v.getName());
      }
      Files.createDirectories(dir);
      byVolume.put(v.getName(), dir);
    }
    List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    for (Container c : all) {
      Map<String, Path> mounts = new HashMap<>();
      if (c.getVolumeMounts() != null) {
        for (VolumeMount m : c.getVolumeMounts()) {
          Path dir = byVolume.get(m.getName());
          if (dir == null) {
            throw new IllegalArgumentException("volumeMount '" + m.getName() + "' names no volume of the pod");
          }
          mounts.put(m.getMountPath(), m.getSubPath() == null || m.getSubPath().isEmpty() ? dir : dir.resolve(m.getSubPath()));
        }
      }
      mountsByContainer.put(c.getName(), mounts);
    }
    volumeDirs.putAll(byVolume);
    writeVolumeFiles(null);
  }

  /** Whether the pod mounts this ConfigMap as a volume. */
  boolean mountsConfigMap(String configMap) {
    return mounts(v -> v.getConfigMap() != null && configMap.equals(v.getConfigMap().getName()));
  }

  /** Whether the pod mounts this Secret as a volume (a TLS member's certificates). */
  boolean mountsSecret(String secret) {
    return mounts(v -> v.getSecret() != null && secret.equals(v.getSecret().getSecretName()));
  }

  private boolean mounts(java.util.function.Predicate<Volume> which) {
    List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    return volumes.stream().anyMatch(which);
  }

  /** Rewrites the files of a changed ConfigMap, as the kubelet's volume sync does for running pods. */
  void refreshConfigMap(String configMap) {
    refresh("configmap " + configMap, v -> v.getConfigMap() != null && configMap.equals(v.getConfigMap().getName()));
  }

  /** Rewrites the files of a changed Secret (renewed certificates), as the kubelet's volume sync does. */
  void refreshSecret(String secret) {
    refresh("secret " + secret, v -> v.getSecret() != null && secret.equals(v.getSecret().getSecretName()));
  }

  private void refresh(String what, java.util.function.Predicate<Volume> which) {
    try {
      if (!volumeDirs.isEmpty()) {
        writeVolumeFiles(which);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "pod " + namespace + "/" + name + ": refreshing " + what + " failed: " + e.getMessage());
    }
  }

  /** Writes ConfigMap and Secret volume files (only of the volumes {@code only} accepts when given), each atomically. */
  private void writeVolumeFiles(java.util.function.Predicate<Volume> only) throws IOException {
    List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
    Map<String, Path> byVolume = volumeDirs;
    // file contents may name container paths (a data_dir in the config): rewrite with all mounts of the pod
    Map<String, Path> allMounts = new HashMap<>();
    mountsByContainer.values().forEach(allMounts::putAll);
    for (Volume v : volumes) {
      if (only != null && !only.test(v)) {
        continue;
      }
      Map<String, String> files = null;
      List<KeyToPath> items = null;
      if (v.getConfigMap() != null) {
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(v.getConfigMap().getName()).get();
        if (cm == null && !Boolean.TRUE.equals(v.getConfigMap().getOptional())) {
          throw new IllegalArgumentException("configmap \"" + v.getConfigMap().getName() + "\" not found");
        }
        files = cm == null ? Map.of() : cm.getData() == null ? Map.of() : cm.getData();
        items = v.getConfigMap().getItems();
      } else if (v.getSecret() != null) {
        Secret s = client.secrets().inNamespace(namespace).withName(v.getSecret().getSecretName()).get();
        if (s == null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
          throw new IllegalArgumentException("secret \"" + v.getSecret().getSecretName() + "\" not found");
        }
        Map<String, String> decoded = new HashMap<>();
        if (s != null && s.getData() != null) {
          s.getData().forEach((k, b64) -> decoded.put(k, new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8)));
        }
        files = decoded;
        items = v.getSecret().getItems();
      }
      if (files == null) {
        continue;
      }
      Path dir = byVolume.get(v.getName());
      Map<String, String> targets = new LinkedHashMap<>();
      if (items != null && !items.isEmpty()) {
        for (KeyToPath item : items) {
          if (files.containsKey(item.getKey())) {
            targets.put(item.getPath(), files.get(item.getKey()));
          }
        }
      } else {
        targets.putAll(files);
      }
      for (var e : targets.entrySet()) {
        Path file = dir.resolve(e.getKey());
        Files.createDirectories(file.getParent());
        String content = ContainerLaunch.rewritePaths(e.getValue(), allMounts);
        if (Files.exists(file) && Files.readString(file).equals(content)) {
          continue;
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }

  // ---- status -----------------------------------------------------------------------------------

  private void publishLater() {
    scheduler.execute(this::publish);
  }

  /**
   * Sends the current status. Publishes are serialized (compute and send under one lock), so a
   * snapshot computed earlier can never be sent after a later one and leave a stale status behind.
   */
  void publish() {
    synchronized (publishLock) {
      PodStatus status;
      synchronized (this) {
        if (terminating && phase.equals("Running")) {
          return; // the pod is going away; its deletion finishes the story
        }
        status = buildStatus();
      }
      // a JSON patch that sets the whole status: lists (conditions, containerStatuses) are replaced, never merged
      String json = Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status)));
      if (json.equals(lastPublished)) {
        return;
      }
      try {
        client.pods().inNamespace(namespace).withName(name).subresource("status")
            .patch(PatchContext.of(PatchType.JSON), json);
        lastPublished = json;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          LOG.warning(() -> "pod " + namespace + "/" + name + ": status patch failed: " + e.getMessage()
              + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
          scheduler.schedule(this::publish, 1, TimeUnit.SECONDS);
        }
      }
    }
  }

  private PodStatus buildStatus() {
    boolean containersReady = containers.values().stream().allMatch(ContainerRun::ready);
    String ts = now();
    List<PodCondition> conditions = List.of(
        condition("PodReadyToStartContainers", true, ts),
        condition("Initialized", true, ts),
        condition("Ready", containersReady && phase.equals("Running"), ts),
        condition("ContainersReady", containersReady, ts),
        condition("PodScheduled", true, ts));
    List<ContainerStatus> statuses = containers.values().stream().map(ContainerRun::status).toList();
    return new PodStatusBuilder().withPhase(phase).withHostIP(ctx.hostIp())
        .withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp(ctx.hostIp()).build())
        .withPodIP(ip)
        .withPodIPs(new PodIPBuilder().withIp(ip).build())
        .withStartTime(startTime).withConditions(conditions).withContainerStatuses(statuses)
        .withQosClass(pod.getStatus() != null ? pod.getStatus().getQosClass() : null).build();
  }

  private PodCondition condition(String type, boolean value, String ts) {
    // keep the transition time while the value is unchanged, as the kubelet does
    String since = ts;
    if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if (c.getType().equals(type) && c.getStatus().equals(value ? "True" : "False") && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    return new PodConditionBuilder().withType(type).withStatus(value ? "True" : "False").withLastTransitionTime(since)
        .withReason(value ? null : type.equals("Ready") || type.equals("ContainersReady") ? "ContainersNotReady" : null)
        .build();
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
