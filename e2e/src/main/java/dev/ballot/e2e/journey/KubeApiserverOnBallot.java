package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Kubernetes on Ballot: a second kube-apiserver (with controller manager and scheduler, e2e/controlplane/start.sh,
 * the cached build) whose {@code --etcd-servers} are the members of the journey's Raft cluster, on the etcd port the
 * operator publishes (2379). kubectl creates a namespace, a Deployment (its controllers list and watch through
 * Ballot, so its Pods appear) and ConfigMaps, one after another, while {@code kubectl get -w} watches them; the
 * Ballot leader's process is killed mid-stream. Every acknowledged ConfigMap must be listed afterwards and seen by
 * the watch exactly once. Reports {@code objects_created}, {@code failover_ms} (SIGKILL to the first acknowledged
 * create) and {@code kubectl_errors} (creates kubectl reported failed).
 */
public final class KubeApiserverOnBallot extends OnCreatedCluster {
  private static final String NS = "on-ballot";
  private static final int BEFORE = 5;
  private static final int AFTER = 5;

  public KubeApiserverOnBallot(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    Optional<JourneyContext.LeaderView> before = ctx.leader(ec);
    if (!r.check(before.isPresent(), "status names no leader before the API server starts")) {
      return;
    }
    // what an application in the cluster is told: the client Service's etcd port (this process reaches the pods)
    String published = ctx.electionCluster(ec).map(c -> (Map<?, ?>) c.getAdditionalProperties().get("status"))
        .map(st -> (Map<?, ?>) st.get("endpoints")).map(e -> String.valueOf(e.get("etcd"))).orElse("");
    boolean tls = ctx.tls(ec);
    String expected = (tls ? "https://" : "http://") + ec + "-client." + ctx.namespace() + ".svc:2379";
    if (!r.check(published.equals(expected), "status.endpoints.etcd is '" + published + "', expected " + expected)) {
      return;
    }
    Path work = Files.createDirectories(ctx.artifactsDir().resolve(name()));
    Map<String, String> env = new java.util.LinkedHashMap<>();
    String etcdServers;
    if (tls) {
      etcdServers = etcdOverTls(ctx, ec, work, env);
    } else {
      etcdServers = ctx.clientAddresses(ec).stream()
          .map(a -> "http://" + a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
    }
    r.put("etcd_tls", tls);
    Path cp = work.resolve("cp");
    long t0 = System.currentTimeMillis();
    try {
      if (!awaitStart(ctx, cp, etcdServers, env, work, r)) {
        return;
      }
      r.put("apiserver_ready_ms", System.currentTimeMillis() - t0);
      exercise(ctx, new Kubectl(cp.resolve("admin.kubeconfig"), work), ec, before.get(), work, r);
    } finally {
      new ProcessBuilder(ctx.repo().resolve("e2e/controlplane/stop.sh").toString(), cp.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    }
  }

  /**
   * A TLS cluster's etcd port as an application reaches it: https with the journey's client certificate, each member
   * by the DNS name its certificate carries. This machine does not resolve cluster DNS names, so the control plane
   * starts in a mount namespace of its own whose /etc/hosts maps them to the pods' addresses ({@link #hostsWrapper}).
   */
  private static String etcdOverTls(JourneyContext ctx, String ec, Path work, Map<String, String> env) throws Exception {
    TlsClusterFiles files = TlsClusterFiles.read(ctx, ec, work.resolve("tls"));
    Path cert = files.journeyClient();
    env.put("BALLOT_CP_ETCD_CAFILE", cert.resolve("ca.crt").toString());
    env.put("BALLOT_CP_ETCD_CERTFILE", cert.resolve("tls.crt").toString());
    env.put("BALLOT_CP_ETCD_KEYFILE", cert.resolve("tls.key").toString());
    StringBuilder hosts = new StringBuilder(Files.readString(Path.of("/etc/hosts"))).append('\n');
    List<String> urls = new ArrayList<>();
    for (Pod p : ctx.members(ec)) {
      if (p.getStatus() == null || p.getStatus().getPodIP() == null) {
        continue;
      }
      String host = TlsClusterFiles.peerHost(ec, ctx.namespace(), p.getMetadata().getName());
      hosts.append(ctx.cluster().reach(p, JourneyContext.ETCD_PORT).getAddress().getHostAddress()).append(' ')
          .append(host).append('\n');
      urls.add("https://" + host + ":" + JourneyContext.ETCD_PORT);
    }
    Path hostsFile = work.resolve("hosts");
    Files.writeString(hostsFile, hosts);
    env.put(HOSTS_FILE, hostsFile.toString());
    return String.join(",", urls);
  }

  private static final String HOSTS_FILE = "BALLOT_E2E_HOSTS_FILE";

  /** start.sh, or, with {@link #HOSTS_FILE} set, start.sh in a new mount namespace with that file as /etc/hosts. */
  static List<String> hostsWrapper(String startSh, String cp, Map<String, String> env) {
    if (!env.containsKey(HOSTS_FILE)) {
      return List.of(startSh, cp);
    }
    return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$" + HOSTS_FILE + "\" /etc/hosts && exec \"$0\" \"$1\"", startSh, cp);
  }

  /** start.sh with Ballot as its etcd; true once the API server answers. */
  private boolean awaitStart(JourneyContext ctx, Path cp, String etcdServers, Map<String, String> env, Path work,
                             ScenarioResult r) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(hostsWrapper(ctx.repo().resolve("e2e/controlplane/start.sh").toString(),
        cp.toString(), env)).redirectErrorStream(true).redirectOutput(work.resolve("start.log").toFile());
    pb.environment().putAll(env);
    pb.environment().put("BALLOT_CP_ETCD_SERVERS", etcdServers);
    pb.environment().put("BALLOT_CP_NO_BUILD", "1");
    pb.environment().put("BALLOT_CP_START_TIMEOUT", "240");
    Process p = pb.start();
    boolean done = p.waitFor(300, TimeUnit.SECONDS);
    r.put("etcd_servers", etcdServers);
    return r.check(done && p.exitValue() == 0, "e2e/controlplane/start.sh on Ballot did not start in 300 s (exit "
        + (done ? p.exitValue() : "timeout") + "); see " + work.resolve("start.log"));
  }

  private void exercise(JourneyContext ctx, Kubectl k, String ec, JourneyContext.LeaderView leader, Path work,
                        ScenarioResult r) throws Exception {
    if (!r.check(k.run("create", "namespace", NS).ok(), "kubectl create namespace failed")
        || !r.check(k.run("-n", NS, "create", "deployment", "web", "--image=nginx", "--replicas=2").ok(),
        "kubectl create deployment failed")) {
      return;
    }
    Path watchOut = work.resolve("watch.out");
    Process watch = new ProcessBuilder("kubectl", "--kubeconfig=" + k.kubeconfig(), "-n", NS, "get", "configmaps",
        "-w", "-o", "name").redirectErrorStream(true).redirectOutput(watchOut.toFile()).start();
    List<String> created = new ArrayList<>();
    int[] errors = {0};
    try {
      for (int i = 0; i < BEFORE; i++) {
        create(k, "before-" + i, created, errors);
      }
      boolean pods = RollingUpdate.await(Duration.ofSeconds(60), () -> podCount(k) >= 2);
      r.put("pods", podCount(k));
      if (!r.check(pods, "the Deployment's controllers made no 2 Pods through Ballot in 60 s")) {
        return;
      }
      Pod leaderPod = ctx.cluster().admin().pods().inNamespace(ctx.namespace()).withName(leader.leader()).get();
      if (!r.check(leaderPod != null, "the Ballot leader " + leader.leader() + " is not a pod")) {
        return;
      }
      long killedAt = System.currentTimeMillis();
      String how = ctx.cluster().crash(leaderPod);
      System.err.println("killed Ballot leader " + leader.leader() + " under the API server: " + how);
      long failoverMs = -1;
      for (int i = 0; System.currentTimeMillis() - killedAt < 60_000; i++) {
        if (create(k, "during-" + i, created, errors)) {
          failoverMs = System.currentTimeMillis() - killedAt;
          break;
        }
        Thread.sleep(200);
      }
      r.put("killed_leader", leader.leader()).put("failover_ms", failoverMs);
      if (!r.check(failoverMs >= 0, "no create was acknowledged within 60 s of killing the Ballot leader")) {
        return;
      }
      for (int i = 0; i < AFTER; i++) {
        create(k, "after-" + i, created, errors);
      }
      ctx.leader(ec).ifPresent(l -> r.put("new_leader", l.leader()));
      Kubectl.Result list = k.run("-n", NS, "get", "configmaps", "-o", "name");
      List<String> missing = created.stream().filter(n -> !list.out().lines().toList().contains("configmap/" + n)).toList();
      String last = created.get(created.size() - 1);
      RollingUpdate.await(Duration.ofSeconds(20), () -> lines(watchOut).contains("configmap/" + last));
      List<String> seen = lines(watchOut);
      List<String> notOnce = created.stream()
          .filter(n -> seen.stream().filter(l -> l.equals("configmap/" + n)).count() != 1).toList();
      r.put("objects_created", created.size()).put("kubectl_errors", errors[0]).put("watch_lines", seen.size());
      r.check(list.ok() && missing.isEmpty(), "acknowledged ConfigMaps missing from the list: " + missing);
      r.check(notOnce.isEmpty(), "ConfigMaps the watch did not see exactly once: " + notOnce);
    } finally {
      watch.destroyForcibly();
      Kubectl.Result ready = ctx.kubectl().run(200, "wait", "-n", ctx.namespace(), "--for=condition=Ready",
          "electioncluster/" + ec, "--timeout=180s");
      r.check(ready.ok(), "the Ballot cluster did not become Ready again after the kill: " + ready);
    }
  }

  /**
   * One create; an attempt that failed but had committed (AlreadyExists on the retry) counts as created. A failed
   * attempt's name is never reused, except to learn whether it committed.
   */
  private static boolean create(Kubectl k, String name, List<String> created, int[] errors) {
    Kubectl.Result res = k.run(30, "-n", NS, "create", "configmap", name, "--from-literal=k=v");
    if (res.ok()) {
      created.add(name);
      return true;
    }
    errors[0]++;
    Kubectl.Result got = k.run(30, "-n", NS, "get", "configmap", name, "-o", "name");
    if (got.ok()) { // the failed create had committed: it exists, and must be listed and watched like the others
      created.add(name);
    }
    return false;
  }

  private static int podCount(Kubectl k) {
    Kubectl.Result res = k.run(30, "-n", NS, "get", "pods", "-o", "name");
    return res.ok() ? (int) res.out().lines().filter(l -> !l.isBlank()).count() : 0;
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
