package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.tls.SwitchableTls;
import dev.ballot.nodeapi.tls.TlsException;
import dev.ballot.nodeapi.tls.TlsMaterial;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The journey with TLS on (issue 12, item 6; the default with an in-cluster operator, see {@link #on}): the operator keeps its default (TLS for every
 * cluster), and the harness reads members' {@code /v1/status} and event streams over HTTPS with, per cluster, the
 * certificate of its {@code spec.clients} entry {@code journey} where the cluster has one, else the operator's
 * (Secret {@code <name>-operator-tls}: the harness observes what the operator observes). One TLS context holds them
 * all; the JDK presents to each member the certificate its CA issued (as the operator's {@code OperatorTls}). Members
 * are reached by pod address while their certificates name DNS names, so the harness checks the chain (the
 * cluster's CA) but not the host name (jdk.internal.httpclient.disableHostnameVerification: e2e/run sets it on the
 * command line, since the JDK reads it only when its first HTTP client is made; {@link #enable} sets it too, for a
 * harness started otherwise before any client).
 */
final class JourneyTls {
  static final String CLIENT = "journey";
  private static final long REFRESH_MS = 2_000;
  private final KubernetesClient admin;
  private final SwitchableTls tls = SwitchableTls.of(List.of());
  private volatile long refreshedAt;

  private JourneyTls(KubernetesClient admin) {
    this.admin = admin;
  }

  /**
   * Whether the journey runs with TLS on: by default wherever the journey starts the operator (in the cluster, or as
   * a local process beside the process kubelet), as a user would meet it (TLS for every new cluster);
   * {@code BALLOT_E2E_TLS=0} runs it plain, {@code =1} forces it on (an operator the harness did not start).
   */
  static boolean on(dev.ballot.e2e.provider.Cluster cluster) {
    String forced = System.getenv("BALLOT_E2E_TLS");
    if (forced != null && !forced.isEmpty()) {
      return "1".equals(forced);
    }
    return cluster.operatorMode() != dev.ballot.e2e.provider.Cluster.OperatorMode.EXTERNAL;
  }

  /** Before any HTTP client is made: the harness reaches members by address (see the class comment). */
  static JourneyTls enable(KubernetesClient admin) {
    System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    return new JourneyTls(admin);
  }

  SSLContext context() {
    return tls.context();
  }

  /** Reads the clusters' certificates again when the last read is older than 2 s (a cluster made since, a renewal). */
  void refresh() {
    long now = System.currentTimeMillis();
    if (now - refreshedAt < REFRESH_MS) {
      return;
    }
    refreshedAt = now;
    Map<String, TlsMaterial> byCluster = new LinkedHashMap<>();
    List<Secret> secrets = admin.secrets().inAnyNamespace().withLabel("ballot.dev/certificate").list().getItems();
    for (String kind : List.of("operator", "client")) {
      for (Secret s : secrets) {
        String cluster = s.getMetadata().getNamespace() + "/" + s.getMetadata().getLabels().get("app.kubernetes.io/instance");
        boolean wanted = kind.equals(s.getMetadata().getLabels().get("ballot.dev/certificate"))
            && (kind.equals("operator") || s.getMetadata().getName().endsWith("-client-" + CLIENT));
        if (wanted) {
          material(s).ifPresent(m -> byCluster.put(cluster, m)); // a journey client wins over the operator's
        }
      }
    }
    tls.use(List.copyOf(byCluster.values()));
  }

  private static java.util.Optional<TlsMaterial> material(Secret s) {
    try {
      String name = s.getMetadata().getName();
      return java.util.Optional.of(new TlsMaterial(TlsMaterial.parsePrivateKey(text(s, "tls.key"), name),
          TlsMaterial.parseCertificates(text(s, "tls.crt"), name), TlsMaterial.parseCertificates(text(s, "ca.crt"), name)));
    } catch (TlsException | RuntimeException e) {
      return java.util.Optional.empty(); // being written: the next refresh
    }
  }

  private static String text(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
  }
}
