package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.attack.TlsAttacker;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renewal of every certificate of a running TLS cluster under writes, as a user asks for it: {@code kubectl annotate
 * ec sec-3 ballot.dev/rotate-certificates=<time>}. The operator issues every member, operator and client certificate
 * again from the same CA and echoes the request in {@code status.tls.rotationRequest}; the kubelet updates the
 * mounted Secret and each member presents its new certificate from its next handshake on, without a restart
 * (checked with openssl on every member's HTTPS and peer ports). A client writes (jetcd) all along; the status is
 * sampled for QuorumLost every 500 ms. Then the CA itself is replaced on demand ({@code ballot.dev/rotate-ca}), under
 * the same writes and sampling: every member must end presenting a certificate of the new CA, and a client certificate
 * of the old CA must be refused.
 */
public final class CertRotation extends OnCreatedCluster {
  private final Duration reloadDeadline;

  public CertRotation(String scenario, CreateCluster created, Duration reloadDeadline) {
    super(scenario, created);
    this.reloadDeadline = reloadDeadline;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    Path work = ctx.scratchDir("rotation-");
    TlsClusterFiles before = TlsClusterFiles.read(ctx, ec, work.resolve("before"));
    Map<String, String> oldCerts = before.certificates();
    Path oldClient = before.client("journey");
    int restartsBefore = SecurityAttacks.restarts(ctx, ec);
    List<InetSocketAddress> clientPorts = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), before.etcd(oldClient), () -> clientPorts,
        Duration.ofMinutes(6)).start();
    AtomicInteger quorumLost = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        try {
          Map<String, Object> status = ctx.electionCluster(ec)
              .map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status")).orElse(Map.of());
          List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.getOrDefault("conditions", List.of());
          if (conditions.stream().anyMatch(c -> "Degraded".equals(c.get("type")) && "True".equals(c.get("status"))
              && "QuorumLost".equals(c.get("reason")))) {
            quorumLost.incrementAndGet();
          }
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // an API hiccup: the next sample
        }
      }
    }, "rotation-sampler");
    sampler.setDaemon(true);
    sampler.start();
    boolean caRotated = false;
    java.util.concurrent.atomic.AtomicLong caStartedAt = new java.util.concurrent.atomic.AtomicLong();
    try {
      Thread.sleep(2_000);
      String request = Instant.now().toString().replace(':', '-');
      long t0 = System.currentTimeMillis();
      Kubectl.Result annotate = ctx.kubectl().run("annotate", "ec", ec, "-n", ctx.namespace(),
          "ballot.dev/rotate-certificates=" + request, "--overwrite");
      if (!r.check(annotate.ok(), "kubectl annotate failed: " + annotate)) {
        return;
      }
      boolean acknowledged = SecurityAttacks.waitFor(Duration.ofSeconds(60), () -> request.equals(
          ctx.electionCluster(ec).map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status"))
              .map(s -> (Map<String, Object>) s.get("tls")).map(t -> t.get("rotationRequest")).orElse(null)));
      r.put("acknowledged_ms", System.currentTimeMillis() - t0);
      if (!r.check(acknowledged, "status.tls.rotationRequest did not become " + request + " within 60 s")) {
        return;
      }
      TlsClusterFiles after = TlsClusterFiles.read(ctx, ec, work.resolve("after"));
      Map<String, String> newCerts = after.certificates();
      long rotated = oldCerts.entrySet().stream().filter(e -> newCerts.containsKey(e.getKey())
          && !newCerts.get(e.getKey()).equals(e.getValue())).count();
      r.put("rotated", rotated).put("certificates", oldCerts.size());
      r.check(rotated == oldCerts.size() && rotated > 0, "renewed " + rotated + " of " + oldCerts.size() + " certificates");
      r.check(Files.readString(after.caFile()).equals(Files.readString(before.caFile())), "the CA bundle changed");

      // Every member presents its new certificate on its HTTPS and peer ports, without a restart.
      TlsAttacker probe = new TlsAttacker(work, after.caFile());
      Path newClient = after.client("journey");
      Map<String, Long> reloadedAt = new HashMap<>();
      List<Pod> pods = ctx.members(ec);
      long deadline = System.currentTimeMillis() + reloadDeadline.toMillis();
      while (reloadedAt.size() < pods.size() && System.currentTimeMillis() < deadline) {
        for (Pod p : pods) {
          String pod = p.getMetadata().getName();
          if (reloadedAt.containsKey(pod)) {
            continue;
          }
          String pem = newCerts.get(ec + "-tls/" + pod + ".crt").strip();
          boolean https = probe.openssl(newClient, ctx.cluster().reach(p, JourneyContext.HTTP_PORT), null).contains(pem);
          boolean peer = https && probe.openssl(after.member(pod), ctx.cluster().reach(p, SecurityAttacks.RAFT_PEER_PORT),
              null).contains(pem);
          if (https && peer) {
            reloadedAt.put(pod, System.currentTimeMillis() - t0);
          }
        }
        Thread.sleep(1_000);
      }
      r.put("members_reloaded", reloadedAt.size() + "/" + pods.size())
          .put("reload_ms", reloadedAt.values().stream().mapToLong(Long::longValue).max().orElse(-1));
      r.check(reloadedAt.size() == pods.size(), "members presenting the renewed certificate within "
          + reloadDeadline.toSeconds() + " s: " + reloadedAt.keySet());
      Thread.sleep(3_000); // writes go on over the renewed peer connections
      String base = "https://" + TlsClusterFiles.peerHost(ec, ctx.namespace(), pods.get(0).getMetadata().getName()) + ":"
          + JourneyContext.HTTP_PORT;
      probe.resolve(TlsClusterFiles.peerHost(ec, ctx.namespace(), pods.get(0).getMetadata().getName()),
          ctx.cluster().reach(pods.get(0), JourneyContext.HTTP_PORT));
      String withNew = probe.curl(newClient, "GET", base + "/v1/status", null);
      String withOld = probe.curl(oldClient, "GET", base + "/v1/status", null);
      r.put("new_client_cert", withNew.substring(0, 3)).put("old_client_cert", withOld.substring(0, 3));
      if (!r.check(withNew.startsWith("200 "), "the renewed client certificate was refused: " + withNew)) {
        return;
      }
      caStartedAt.set(System.currentTimeMillis());
      caRotated = rotateCa(ctx, r, ec, work, newClient);
    } finally {
      sampling.set(false);
      sampler.interrupt();
      writer.stopAndJoin();
    }
    int restarts = SecurityAttacks.restarts(ctx, ec) - restartsBefore;
    r.put("restarts", restarts).put("quorum_lost_seen", quorumLost.get()).put("ca_rotated", caRotated);
    r.check(restarts == 0, restarts + " member restarts: renewal must be a hot reload");
    r.check(quorumLost.get() == 0, "Degraded was True for QuorumLost in " + quorumLost.get() + " samples");
    boolean ready = SecurityAttacks.waitFor(Duration.ofSeconds(60), () -> ctx.electionCluster(ec)
        .map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status"))
        .map(s -> (List<Map<String, Object>>) s.getOrDefault("conditions", List.of())).orElse(List.of()).stream()
        .anyMatch(c -> "Ready".equals(c.get("type")) && "True".equals(c.get("status"))));
    r.check(ready, "the cluster was not Ready after the renewal (the operator reaches members with its new certificate)");
    r.put("writes_acked", writer.ackedCount()).put("writes_failed", writer.failures()).put("max_write_gap_ms", writer.maxGapMs())
        .put("max_write_gap_in", caStartedAt.get() > 0 && writer.maxGapEndedAt() >= caStartedAt.get() ? "ca-rotation"
            : "certificate-renewal");
    r.check(writer.ackedCount() > 0, "no write was acknowledged during the renewal (" + writer.failures() + " failed)");
    List<String> lost = writer.verify(clientPorts);
    r.put("acked_lost", lost.size());
    KvWriter.checkNoneLost(r, lost);
  }

  /**
   * The on-demand CA rotation ({@code ballot.dev/rotate-ca}), still under the writer and the QuorumLost sampler: waits
   * for {@code status.tls.caRotationRequest} to echo it (every step done: trusted, signing, old CA dropped), then
   * checks every member presents a certificate of the new CA on its HTTPS and peer ports and that a client certificate
   * of the old CA ({@code oldCaClient}, valid a minute ago) is refused while the re-issued one is served.
   */
  @SuppressWarnings("unchecked")
  private boolean rotateCa(JourneyContext ctx, ScenarioResult r, String ec, Path work, Path oldCaClient) throws Exception {
    String request = "ca-" + Instant.now().toString().replace(':', '-');
    long t0 = System.currentTimeMillis();
    Kubectl.Result annotate = ctx.kubectl().run("annotate", "ec", ec, "-n", ctx.namespace(),
        "ballot.dev/rotate-ca=" + request, "--overwrite");
    if (!r.check(annotate.ok(), "kubectl annotate ballot.dev/rotate-ca failed: " + annotate)) {
      return false;
    }
    java.util.function.Supplier<Map<String, Object>> tls = () -> ctx.electionCluster(ec)
        .map(g -> (Map<String, Object>) g.getAdditionalProperties().get("status"))
        .map(s -> (Map<String, Object>) s.get("tls")).orElse(Map.of());
    Map<String, Long> stepsSeen = new java.util.LinkedHashMap<>(); // each step, when the status first showed it
    boolean done = SecurityAttacks.waitFor(reloadDeadline, () -> {
      Map<String, Object> now;
      try {
        now = tls.get();
      } catch (RuntimeException e) {
        return false; // an API hiccup: the next poll
      }
      if (now.get("caRotation") != null) {
        stepsSeen.putIfAbsent(String.valueOf(now.get("caRotation")), System.currentTimeMillis() - t0);
      }
      return request.equals(now.get("caRotationRequest"));
    });
    r.put("ca_rotation_ms", System.currentTimeMillis() - t0).put("ca_steps_seen_ms", String.join(",",
        stepsSeen.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).toList()));
    if (!r.check(done, "status.tls.caRotationRequest did not become " + request + " within " + reloadDeadline.toSeconds()
        + " s; status.tls: " + tls.get())) {
      return false;
    }
    TlsClusterFiles fin = TlsClusterFiles.read(ctx, ec, work.resolve("ca-rotated"));
    List<java.security.cert.X509Certificate> bundle = dev.ballot.nodeapi.tls.TlsMaterial.parseCertificates(
        Files.readString(fin.caFile()), "ca.crt");
    java.security.cert.X509Certificate newCa = fin.ca().certificate();
    if (!r.check(bundle.equals(List.of(newCa)), "the members' ca.crt after an on-demand CA rotation holds "
        + bundle.size() + " CA(s), not the new CA alone")) {
      return false;
    }
    Files.createDirectories(work.resolve("ca-probe"));
    TlsAttacker probe = new TlsAttacker(work.resolve("ca-probe"), fin.caFile());
    Path newCaClient = fin.client("journey");
    Map<String, String> certs = fin.certificates();
    int presenting = 0;
    for (Pod p : ctx.members(ec)) {
      String pod = p.getMetadata().getName();
      String pem = certs.get(ec + "-tls/" + pod + ".crt").strip();
      dev.ballot.nodeapi.tls.TlsMaterial.parseCertificates(pem, pod).get(0).verify(newCa.getPublicKey());
      boolean https = probe.openssl(newCaClient, ctx.cluster().reach(p, JourneyContext.HTTP_PORT), null).contains(pem);
      boolean peer = probe.openssl(fin.member(pod), ctx.cluster().reach(p, SecurityAttacks.RAFT_PEER_PORT), null)
          .contains(pem);
      presenting += https && peer ? 1 : 0;
    }
    r.put("ca_members_presenting", presenting + "/" + ctx.members(ec).size());
    if (!r.check(presenting == ctx.members(ec).size(), "members presenting a certificate of the new CA on both ports: "
        + presenting)) {
      return false;
    }
    Pod first = ctx.members(ec).get(0);
    String host = TlsClusterFiles.peerHost(ec, ctx.namespace(), first.getMetadata().getName());
    probe.resolve(host, ctx.cluster().reach(first, JourneyContext.HTTP_PORT));
    String base = "https://" + host + ":" + JourneyContext.HTTP_PORT + "/v1/status";
    String withNewCa = probe.curl(newCaClient, "GET", base, null);
    String withOldCa = probe.curl(oldCaClient, "GET", base, null);
    r.put("new_ca_client_cert", withNewCa.substring(0, 3)).put("old_ca_client_cert", withOldCa.substring(0, 3));
    return r.check(withNewCa.startsWith("200 "), "the client certificate of the new CA was refused: " + withNewCa)
        & r.check(!withOldCa.startsWith("200 "), "a client certificate of the old CA is still accepted: " + withOldCa);
  }
}
