package dev.ballot.e2e.journey;

import dev.ballot.e2e.provider.Cluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * {@code kubectl apply -k deploy/}, as the README says. Where the operator runs as a local process, its
 * Deployment is scaled to 0 and the process gets a kubeconfig with a token of the ServiceAccount that
 * deploy/ made, so the RBAC it runs under is deploy/'s.
 */
public final class Install implements Scenario {
  static final String OPERATOR_NS = "ballot-system";
  static final String OPERATOR_SA = "ballot-operator";
  static final String CRD = "electionclusters.ballot.dev";
  static final String OPERATOR_LEASE = "ballot-operator";
  static final String LOCAL_OPERATOR_ID = "ballot-operator-e2e-process";

  @Override
  public String name() {
    return "install";
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    long t0 = System.currentTimeMillis();
    Kubectl k = ctx.kubectl();
    Kubectl.Result apply = k.run("apply", "-k", ctx.repo().resolve("deploy").toString());
    if (!r.check(apply.ok(), "kubectl apply -k deploy/ failed: " + apply)) {
      return;
    }
    Kubectl.Result est = k.run("wait", "--for=condition=Established", "crd/" + CRD, "--timeout=60s");
    if (!r.check(est.ok(), "CRD " + CRD + " not established: " + est)) {
      return;
    }
    if (ctx.cluster().operatorMode() == Cluster.OperatorMode.EXTERNAL) {
      k.run("-n", OPERATOR_NS, "scale", "deployment/" + OPERATOR_SA, "--replicas=0");
      r.put("operator", "external");
    } else if (ctx.cluster().operatorMode() == Cluster.OperatorMode.LOCAL_PROCESS) {
      k.run("-n", OPERATOR_NS, "scale", "deployment/" + OPERATOR_SA, "--replicas=0");
      Kubectl.Result token = k.runQuiet("-n", OPERATOR_NS, "create", "token", OPERATOR_SA, "--duration=24h");
      if (!r.check(token.ok(), "cannot mint a token for ServiceAccount " + OPERATOR_SA + ": " + token)) {
        return;
      }
      Path kc = writeServiceAccountKubeconfig(ctx.kubectl().kubeconfig(), token.out().strip());
      r.put("operator", "process");
      Process operator = ctx.cluster().startOperator(kc, Map.of("POD_NAME", LOCAL_OPERATOR_ID));
      // the operator is working once it leads: it holds its Lease (which also proves deploy/'s RBAC lets it)
      long deadline = System.currentTimeMillis() + 90_000;
      String holder = null;
      while (System.currentTimeMillis() < deadline && operator.isAlive()) {
        Lease lease = ctx.cluster().admin().resources(Lease.class).inNamespace(OPERATOR_NS).withName(OPERATOR_LEASE).get();
        holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (LOCAL_OPERATOR_ID.equals(holder)) {
          break;
        }
        Thread.sleep(250);
      }
      r.put("operator_leading_ms", System.currentTimeMillis() - t0);
      if (!r.check(operator.isAlive(), "the operator process exited (" + exitOf(operator) + "); see operator.log in the state dir")
          || !r.check(LOCAL_OPERATOR_ID.equals(holder), "the operator did not take its Lease " + OPERATOR_NS + "/"
              + OPERATOR_LEASE + " within 90 s (holder " + holder + "); see operator.log")) {
        return;
      }
    } else {
      r.put("operator", "in-cluster");
      // By default the operator keeps its default (TLS on) and the journey reads members over HTTPS (JourneyTls).
      // With BALLOT_E2E_TLS=0 clusters without spec.tls stay plain, as with the local operator process
      // (OperatorProcess).
      boolean tls = JourneyTls.on(ctx.cluster());
      r.put("tls_default", tls);
      if (!tls) {
        Kubectl.Result plain = k.run("-n", OPERATOR_NS, "set", "env", "deployment/" + OPERATOR_SA,
            "BALLOT_TLS_DEFAULT_ENABLED=false");
        if (!r.check(plain.ok(), "cannot set BALLOT_TLS_DEFAULT_ENABLED on the operator Deployment: " + plain)) {
          return;
        }
      }
      Kubectl.Result rollout = k.run(300, "-n", OPERATOR_NS, "rollout", "status", "deployment/" + OPERATOR_SA, "--timeout=300s");
      r.check(rollout.ok(), "operator Deployment did not roll out: " + rollout);
    }
    Kubectl.Result ns = k.run("create", "namespace", ctx.namespace());
    r.check(ns.ok() || ns.err().contains("AlreadyExists"), "cannot create namespace " + ctx.namespace() + ": " + ns);
    r.put("install_ms", System.currentTimeMillis() - t0);
  }

  private static String exitOf(Process p) {
    return p.isAlive() ? "running" : Integer.toString(p.exitValue());
  }

  /** A kubeconfig for the operator's ServiceAccount: same server and CA as the admin's, the SA's token. */
  static Path writeServiceAccountKubeconfig(Path adminKubeconfig, String token) throws Exception {
    Config admin = Config.fromKubeconfig(Files.readString(adminKubeconfig));
    String ca = admin.getCaCertData() != null ? admin.getCaCertData()
        : Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: ballot
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: %s
          user:
            token: %s
        contexts:
        - name: ballot-operator
          context:
            cluster: ballot
            user: %s
            namespace: %s
        current-context: ballot-operator
        """.formatted(admin.getMasterUrl().replaceAll("/$", ""), ca, OPERATOR_SA, token, OPERATOR_SA, OPERATOR_NS);
    Path out = adminKubeconfig.resolveSibling("operator.kubeconfig");
    Files.writeString(out, yaml);
    return out;
  }
}
