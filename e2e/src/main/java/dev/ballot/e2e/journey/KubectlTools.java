package dev.ballot.e2e.journey;

import java.util.List;

/**
 * {@code kubectl logs} and {@code kubectl exec} on a member, as a user debugging a cluster would: they go from the
 * API server to the kubelet (its serving certificate, the API server's kubelet client certificate). The node image
 * has no shell, so the exec runs the image's own JRE.
 */
public final class KubectlTools extends OnCreatedCluster {
  static final String JAVA = "/opt/java/bin/java";

  public KubectlTools(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  /** logs and exec go through a real kubelet's server: the process kubelet (provider local) has neither. */
  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return cluster instanceof dev.ballot.e2e.provider.NodeCluster;
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String pod = created.clusterName + "-0";
    long t0 = System.currentTimeMillis();
    Kubectl.Result logs = ctx.kubectl().run("logs", "-n", ctx.namespace(), pod, "--tail=50");
    r.put("logs_ms", System.currentTimeMillis() - t0);
    List<String> lines = logs.out().lines().filter(l -> !l.isBlank()).toList();
    r.put("log_lines", lines.size());
    r.check(logs.ok(), "kubectl logs " + pod + " failed: " + logs);
    r.check(!lines.isEmpty(), "kubectl logs " + pod + " printed nothing");
    long t1 = System.currentTimeMillis();
    Kubectl.Result exec = ctx.kubectl().run(60, "exec", "-n", ctx.namespace(), pod, "--", JAVA, "-version");
    r.put("exec_ms", System.currentTimeMillis() - t1);
    String said = (exec.out() + exec.err()).lines().filter(l -> l.contains("version")).findFirst().orElse("");
    r.put("exec_said", said.strip());
    r.check(exec.ok(), "kubectl exec " + pod + " -- " + JAVA + " -version failed: " + exec);
    r.check(!said.isEmpty(), "kubectl exec printed no version line: " + exec.out() + exec.err());
    Kubectl.Result missing = ctx.kubectl().run(60, "exec", "-n", ctx.namespace(), pod, "--", "/bin/sh", "-c", "true");
    r.put("exec_missing_binary_exit", missing.exitCode());
    r.check(!missing.ok(), "kubectl exec of /bin/sh succeeded, but the node image is meant to have no shell");
  }
}
