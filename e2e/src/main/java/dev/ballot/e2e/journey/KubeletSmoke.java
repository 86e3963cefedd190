package dev.ballot.e2e.journey;

import io.fabric8.kubernetes.api.model.Pod;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Proves the process kubelet on its own, before any Ballot code: a StatefulSet of a small JDK-source
 * HTTP server from a ConfigMap (downward API env, probes, headless-Service DNS, volume claims) and a
 * run-to-completion pod. Data written to a claim survives deleting the pod. Only on process-kubelet nodes.
 */
public final class KubeletSmoke implements Scenario {
  static final String NS = "ballot-smoke";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Override
  public String name() {
    return "kubelet-smoke";
  }

  /** A real kubelet needs no such proof (the scenario would only find no process-kubelet node and skip). */
  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return !(cluster instanceof dev.ballot.e2e.provider.NodeCluster);
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    boolean processNodes = !ctx.cluster().admin().nodes().withLabel("ballot.dev/process-kubelet", "true").list().getItems().isEmpty();
    if (!processNodes) {
      r.put("skipped", "no-process-kubelet-nodes");
      return;
    }
    long t0 = System.currentTimeMillis();
    Path dir = Files.createTempDirectory("ballot-smoke-");
    try {
      runIn(dir, ctx, r, t0);
    } finally {
      try (var files = Files.list(dir)) {
        files.forEach(f -> f.toFile().delete());
      }
      Files.deleteIfExists(dir);
    }
  }

  private void runIn(Path dir, JourneyContext ctx, ScenarioResult r, long t0) throws Exception {
    Kubectl k = ctx.kubectl();
    Path server = dir.resolve("Server.java");
    Path manifest = dir.resolve("smoke.yaml");
    copy("/smoke/Server.java", server);
    copy("/smoke/smoke.yaml", manifest);
    k.run("create", "namespace", NS);
    if (!r.check(k.run("-n", NS, "create", "configmap", "smoke-server", "--from-file=" + server, "--from-literal=greeting=one").ok(), "cannot create the ConfigMap")
        || !r.check(k.run("-n", NS, "apply", "-f", manifest.toString()).ok(), "cannot apply smoke.yaml")) {
      return;
    }
    Kubectl.Result ready = k.run(200, "-n", NS, "wait", "--for=condition=Ready", "pod/web-0", "pod/web-1", "--timeout=180s");
    r.put("pods_ready_ms", System.currentTimeMillis() - t0);
    if (!r.check(ready.ok(), "web pods not Ready: " + ready)) {
      k.run("-n", NS, "get", "pods,pvc", "-o", "wide");
      return;
    }
    Kubectl.Result done = k.run(100, "-n", NS, "wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/java-version", "--timeout=90s");
    r.check(done.ok(), "pod java-version did not succeed: " + done);
    k.run("-n", NS, "get", "pods,pvc", "-o", "wide");
    Pod web0 = pod("web-0", ctx);
    Pod web1 = pod("web-1", ctx);
    String ip0 = web0.getStatus().getPodIP();
    String ip1 = web1.getStatus().getPodIP();
    r.put("pod_ips", ip0 + "," + ip1);
    r.check(InetAddress.getByName(ip0).isLoopbackAddress() && !ip0.equals(ip1), "pod IPs are not distinct loopback addresses");
    String resolved = get(ctx, web0, "/resolve?name=web-1.web." + NS + ".svc.cluster.local");
    r.check(ip1.equals(resolved), "web-0 resolved web-1.web." + NS + ".svc.cluster.local to " + resolved + ", not " + ip1);
    r.check("one".equals(get(ctx, web0, "/config?greeting")), "web-0 does not see its ConfigMap key greeting=one");
    long tc = System.currentTimeMillis();
    k.run("-n", NS, "patch", "configmap", "smoke-server", "--type=merge", "-p", "{\"data\":{\"greeting\":\"two\"}}");
    boolean refreshed = false;
    while (!refreshed && System.currentTimeMillis() < tc + 30_000) {
      refreshed = "two".equals(get(ctx, web1, "/config?greeting"));
      Thread.sleep(50);
    }
    r.put("configmap_refresh_ms", System.currentTimeMillis() - tc);
    r.check(refreshed, "a ConfigMap change did not reach the running pod web-1 within 30 s");
    String note = "note-" + System.nanoTime();
    get(ctx, web0, "/write?" + note);
    long t1 = System.currentTimeMillis();
    k.run("-n", NS, "delete", "pod", "web-0", "--wait=true");
    // the StatefulSet controller recreates web-0 a moment after the old one is gone
    long until = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < until) {
      Pod p = pod("web-0", ctx);
      if (p != null && !p.getMetadata().getUid().equals(web0.getMetadata().getUid())) {
        break;
      }
      Thread.sleep(100);
    }
    Kubectl.Result back = k.run(150, "-n", NS, "wait", "--for=condition=Ready", "pod/web-0", "--timeout=120s");
    r.put("recreate_ready_ms", System.currentTimeMillis() - t1);
    if (r.check(back.ok(), "web-0 did not come back: " + back)) {
      Pod again = pod("web-0", ctx);
      r.check(!again.getMetadata().getUid().equals(web0.getMetadata().getUid()), "web-0 was not recreated");
      String read = get(ctx, again, "/read");
      r.check(note.equals(read), "the claim lost its data across the pod's deletion: read " + read);
    }
    k.run("delete", "namespace", NS, "--wait=false");
  }

  private static Pod pod(String name, JourneyContext ctx) {
    return ctx.cluster().admin().pods().inNamespace(NS).withName(name).get();
  }

  private String get(JourneyContext ctx, Pod pod, String pathAndQuery) throws Exception {
    InetSocketAddress a = ctx.cluster().reach(pod, 8080);
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://" + a.getHostString() + ":" + a.getPort()
        + pathAndQuery)).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return res.body();
  }

  private static void copy(String resource, Path to) throws Exception {
    try (InputStream in = KubeletSmoke.class.getResourceAsStream(resource)) {
      Files.copy(in, to);
    }
  }
}
