package dev.ballot.e2e.journey;

import dev.ballot.e2e.provider.Cluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other way to install: {@code helm install} of deploy/helm/ballot-operator with helm built from its Go module
 * (e2e/tools/build-helm.sh). deploy/'s operator is removed first ({@code kubectl delete -k deploy/}: the chart
 * makes the same cluster-scoped objects), so this runs last. Passes once the chart's operator holds its Lease and
 * an example cluster it manages is Ready; then the example and the release are removed.
 */
public final class HelmInstall implements Scenario {
  static final String RELEASE = "ballot";
  static final String NS = "ballot-helm";
  static final String APP_NS = "ballot-helm-app";

  @Override
  public String name() {
    return "helm-install";
  }

  @Override
  public boolean appliesTo(Cluster cluster) {
    return cluster.operatorMode() == Cluster.OperatorMode.IN_CLUSTER;
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    Kubectl k = ctx.kubectl();
    String helm = helmBinary(ctx);
    k.run(200, "delete", "-k", ctx.repo().resolve("deploy").toString(), "--ignore-not-found", "--wait=true", "--timeout=180s");
    long t0 = System.currentTimeMillis();
    Result install = helm(ctx, helm, 400, "install", RELEASE, ctx.repo().resolve("deploy/helm/ballot-operator").toString(),
        "--namespace", NS, "--create-namespace", "--wait", "--timeout", "5m");
    r.put("helm_install_ms", System.currentTimeMillis() - t0);
    if (!r.check(install.code == 0, "helm install failed (exit " + install.code + "): " + install.out)) {
      k.run("get", "-n", NS, "deploy,pods", "-o", "wide");
      return;
    }
    boolean leads = RollingUpdate.await(java.time.Duration.ofSeconds(90), () -> {
      Lease lease = ctx.cluster().admin().resources(Lease.class).inNamespace(NS).withName(Install.OPERATOR_LEASE).get();
      String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
      return holder != null && holder.startsWith(RELEASE);
    });
    r.put("operator_leading_ms", System.currentTimeMillis() - t0);
    if (!r.check(leads, "no pod of the release holds the Lease " + NS + "/" + Install.OPERATOR_LEASE + " within 90 s")) {
      return;
    }
    k.run("create", "namespace", APP_NS);
    long t1 = System.currentTimeMillis();
    Kubectl.Result apply = k.run("apply", "-n", APP_NS, "-f", ctx.repo().resolve("examples/raft-3.yaml").toString());
    Kubectl.Result ready = k.run(330, "wait", "-n", APP_NS, "--for=condition=Ready", "electioncluster/raft-3", "--timeout=300s");
    r.put("ready_ms", System.currentTimeMillis() - t1);
    r.check(apply.ok(), "kubectl apply of the example failed: " + apply);
    if (!r.check(ready.ok(), "the example cluster was not Ready within 300 s under the chart's operator: " + ready)) {
      k.run("get", "-n", APP_NS, "ec,pods", "-o", "wide");
    }
    k.run(150, "delete", "namespace", APP_NS, "--wait=true", "--timeout=120s");
    Result uninstall = helm(ctx, helm, 200, "uninstall", RELEASE, "--namespace", NS, "--wait", "--timeout", "2m");
    r.check(uninstall.code == 0, "helm uninstall failed: " + uninstall.out);
  }

  /** helm from e2e/tools/build-helm.sh (built from its Go module once, cached; prints the binary's path). */
  private static String helmBinary(JourneyContext ctx) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(ctx.repo().resolve("e2e/tools/build-helm.sh").toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.waitFor() != 0 || path.isEmpty()) {
      throw new IllegalStateException("e2e/tools/build-helm.sh failed (exit " + p.exitValue() + ")");
    }
    return path;
  }

  private record Result(int code, String out) {}

  private static Result helm(JourneyContext ctx, String helm, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(helm, "--kubeconfig", ctx.kubectl().kubeconfig().toString()));
    cmd.addAll(List.of(args));
    System.err.println("$ helm " + String.join(" ", args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    });
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(124, "helm timed out after " + timeoutSeconds + " s");
    }
    String text = out.join();
    System.err.print(text.lines().limit(30).map(l -> "  " + l + "\n").reduce("", String::concat));
    return new Result(p.exitValue(), text.strip());
  }
}
