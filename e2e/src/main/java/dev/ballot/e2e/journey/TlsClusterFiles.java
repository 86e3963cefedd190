package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.TlsMaterial;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TLS cluster's certificates as the operator keeps them in Secrets (docs/operator.md, "TLS, certificates and
 * clients"), copied to files in cert-manager's layout ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) for curl,
 * openssl and the journey's clients. Each {@link #read} is a snapshot: read again after a renewal.
 */
final class TlsClusterFiles {
  private final JourneyContext ctx;
  private final String cluster;
  private final Path dir;

  private TlsClusterFiles(JourneyContext ctx, String cluster, Path dir) {
    this.ctx = ctx;
    this.cluster = cluster;
    this.dir = dir;
  }

  /** Reads the cluster's CA bundle into {@code dir}; the other files are written when asked for. */
  static TlsClusterFiles read(JourneyContext ctx, String cluster, Path dir) throws Exception {
    Files.createDirectories(dir);
    TlsClusterFiles f = new TlsClusterFiles(ctx, cluster, dir);
    Files.writeString(f.caFile(), f.text(cluster + "-tls", "ca.crt"));
    return f;
  }

  /** The CA bundle members present and trust (the current CA, and the previous one after a CA renewal). */
  Path caFile() {
    return dir.resolve("ca.crt");
  }

  /** The cluster's CA with its key (Secret {@code <cluster>-ca}): what only the operator should hold. */
  CertificateAuthority ca() throws Exception {
    String name = cluster + "-ca";
    return new CertificateAuthority(TlsMaterial.parsePrivateKey(text(name, "ca.key"), name + "/ca.key"),
        TlsMaterial.parseCertificates(text(name, "ca.crt"), name + "/ca.crt").get(0));
  }

  /** The certificate of {@code spec.clients} entry {@code client} (Secret {@code <cluster>-client-<client>}). */
  Path client(String client) throws Exception {
    return copy(cluster + "-client-" + client, "tls.crt", "tls.key", "client-" + client);
  }

  /**
   * The certificate the journey speaks to the cluster with, as {@link JourneyTls} chooses it: its {@code spec.clients}
   * entry {@code journey} where the cluster has one, else the operator's (any certificate from the cluster's CA may
   * read and write keys, docs/node-api.md).
   */
  Path journeyClient() throws Exception {
    String secret = cluster + "-client-" + JourneyTls.CLIENT;
    boolean own = ctx.cluster().admin().secrets().inNamespace(ctx.namespace()).withName(secret).get() != null;
    return own ? client(JourneyTls.CLIENT) : operator();
  }

  /** The operator's certificate for this cluster (URI SAN ballot://operator). */
  Path operator() throws Exception {
    return copy(cluster + "-operator-tls", "tls.crt", "tls.key", "operator");
  }

  /** Member {@code pod}'s own certificate, as its pod mounts it. */
  Path member(String pod) throws Exception {
    return copy(cluster + "-tls", pod + ".crt", pod + ".key", "member-" + pod);
  }

  /** Every certificate the operator keeps for the cluster, by Secret and key, as PEM (to tell what was renewed). */
  Map<String, String> certificates() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Secret s : ctx.cluster().admin().secrets().inNamespace(ctx.namespace())
        .withLabel("app.kubernetes.io/instance", cluster).list().getItems()) {
      if (s.getData() == null || s.getMetadata().getName().equals(cluster + "-ca")) {
        continue;
      }
      s.getData().forEach((k, v) -> {
        if (k.endsWith(".crt") && !k.equals("ca.crt")) {
          out.put(s.getMetadata().getName() + "/" + k, decode(v));
        }
      });
    }
    return out;
  }

  /**
   * The client of the cluster's etcd port over TLS (the port is TLS on TLS clusters, docs/etcd-api.md) with the
   * certificate in {@code certDir}: jetcd to each member by address, naming it as its certificate does.
   */
  dev.ballot.e2e.clients.ClientKv etcd(Path certDir) {
    return dev.ballot.e2e.clients.ClientKv.etcdTls(certDir, this::authority);
  }

  /** The DNS name a member's certificate gives it, for the member at {@code address}. */
  String authority(java.net.InetSocketAddress address) {
    String ip = address.getAddress().getHostAddress();
    return ctx.members(cluster).stream().filter(p -> p.getStatus() != null && ip.equals(p.getStatus().getPodIP()))
        .map(p -> peerHost(cluster, ctx.namespace(), p.getMetadata().getName())).findFirst()
        .orElse(address.getHostString());
  }

  /** A member's stable DNS name, which its certificate names (curl is pointed at the pod's address for it). */
  static String peerHost(String cluster, String namespace, String pod) {
    return pod + "." + cluster + "-peers." + namespace + ".svc";
  }

  private Path copy(String secret, String certKey, String keyKey, String as) throws Exception {
    Path d = dir.resolve(as);
    Files.createDirectories(d);
    Files.writeString(d.resolve("tls.crt"), text(secret, certKey));
    Files.writeString(d.resolve("tls.key"), text(secret, keyKey));
    Files.copy(caFile(), d.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return d;
  }

  private String text(String secret, String key) {
    Secret s = ctx.cluster().admin().secrets().inNamespace(ctx.namespace()).withName(secret).get();
    if (s == null || s.getData() == null || s.getData().get(key) == null) {
      throw new IllegalStateException("Secret " + ctx.namespace() + "/" + secret + " has no " + key);
    }
    return decode(s.getData().get(key));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }
}
