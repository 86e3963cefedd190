package dev.ballot.e2e.journey;

import dev.ballot.nodeapi.attack.TlsAttacker;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Issue 12's attacks, from the host (which routes to the pods), on the members of a TLS cluster the operator made
 * ({@code e2e/manifests/sec-3.yaml}), with the same tools as the node's TlsAttacksProcessTest
 * ({@link TlsAttacker}: curl, openssl s_client, a raw socket): no certificate, another CA's certificate, an expired
 * one from the cluster's CA, a member's certificate used for admin, a peer claiming another member's id, the
 * 13 MiB pre-handshake flood and the 1 MiB write flood into the keyspace quota (through the etcd API, which Raft
 * members serve). All the while a client writes (jetcd); at the end every member must still be Ready with no
 * restart and every acknowledged write must read back.
 */
public final class SecurityAttacks extends OnCreatedCluster {
  static final int RAFT_PEER_PORT = 2380;
  private static final int FLOOD_CONNECTIONS = 6;
  private static final int FLOOD_BYTES = 13 << 20;
  private static final int VALUE_BYTES = 1 << 20;
  private static final String SPACE_EXCEEDED = "database space exceeded";
  /** What a member logs for every peer connection it refuses (PeerTransport.refuse), whatever the reason. */
  private static final String REFUSED = "closing peer connection from";

  public SecurityAttacks(String scenario, CreateCluster created) {
    super(scenario, created);
  }

  /**
   * Reads the refusals from the members' logs with {@code kubectl logs}, which needs a kubelet server: the process
   * kubelet (provider local) has none (node-image's TlsAttacksProcessTest runs the same attacks on processes).
   */
  @Override
  public boolean appliesTo(dev.ballot.e2e.provider.Cluster cluster) {
    return !(cluster instanceof dev.ballot.e2e.provider.LocalProvider.LocalCluster);
  }

  @Override
  public void run(JourneyContext ctx, ScenarioResult r) throws Exception {
    String ec = created.clusterName;
    String ns = ctx.namespace();
    Path work = ctx.scratchDir("security-");
    TlsClusterFiles files = TlsClusterFiles.read(ctx, ec, work.resolve("cluster"));
    TlsAttacker attacker = new TlsAttacker(work, files.caFile());
    List<Pod> pods = ctx.members(ec);
    for (Pod p : pods) {
      attacker.resolve(TlsClusterFiles.peerHost(ec, ns, p.getMetadata().getName()), ctx.cluster().reach(p, JourneyContext.HTTP_PORT));
    }
    var leaderPod = LeaderPod.find(ctx, r, ec, "before the attacks");
    if (leaderPod.isEmpty()) {
      return;
    }
    String leader = leaderPod.get().name();
    Pod leaderP = leaderPod.get().pod();
    String follower = pods.stream().map(p -> p.getMetadata().getName()).filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    String other = pods.stream().map(p -> p.getMetadata().getName()).filter(n -> !n.equals(leader) && !n.equals(follower))
        .findFirst().orElseThrow();
    int restartsBefore = restarts(ctx, ec);
    String base = "https://" + TlsClusterFiles.peerHost(ec, ns, leader) + ":" + JourneyContext.HTTP_PORT;
    Path app = files.client("journey");
    r.check(attacker.curl(app, "GET", base + "/v1/status", null).startsWith("200 "),
        "the journey's client certificate (spec.clients) was not let in");

    List<InetSocketAddress> clientPorts = ctx.clientAddresses(ec);
    KvWriter writer = new KvWriter(name() + "-" + System.currentTimeMillis(), files.etcd(app), () -> clientPorts,
        Duration.ofMinutes(5)).start();
    try {
      // 1. No certificate: the handshake succeeds (Optional, for the kubelet's probes); the API answers 401.
      String noCert = attacker.curl(null, "GET", base + "/v1/status", null);
      String probe = attacker.curl(null, "GET", base + "/readyz", null);
      field(r, "no_cert_refused", noCert.startsWith("401 ") && noCert.contains("unauthenticated"), noCert);
      r.check(probe.startsWith("200 "), "/readyz without a certificate (the kubelet's probe) answered " + probe);

      // 2. and 3. Another CA's certificate, an expired one from the cluster's CA: the TLS handshake fails.
      Path foreign = attacker.foreignCertificate();
      String foreignAnswer = attacker.curl(foreign, "GET", base + "/v1/status", null);
      field(r, "other_ca_refused", foreignAnswer.startsWith("000 "), foreignAnswer);
      String expiredAnswer = attacker.curl(attacker.expiredCertificate(files.ca()), "GET", base + "/v1/status", null);
      field(r, "expired_cert_refused", expiredAnswer.startsWith("000 "), expiredAnswer);

      // 4. A member's certificate used for admin: 403 naming the operator's identity; the membership is unchanged.
      String add = "{\"id\":\"intruder\",\"address\":\"10.0.0.9:2380\"}";
      String asMember = attacker.curl(files.member(follower), "POST", base + "/v1/admin/members", add);
      String asApp = attacker.curl(app, "POST", base + "/v1/admin/members", add);
      String members = attacker.curl(files.operator(), "GET", base + "/v1/admin/members", null);
      field(r, "member_cert_admin_refused", asMember.startsWith("403 ") && asMember.contains("ballot://operator")
          && asApp.startsWith("403 ") && members.startsWith("200 ") && !members.contains("intruder"),
          asMember + " | app: " + asApp + " | members: " + members);

      // 5. A peer that claims another member's id: the follower's valid certificate, a handshake naming the third
      //    member (member ids are ordinal + 1). openssl s_client speaks TLS; the Ballot handshake is its input.
      InetSocketAddress peerPort = ctx.cluster().reach(leaderP, RAFT_PEER_PORT);
      long otherId = ordinal(other) + 1;
      String claimLog = "claims to be member " + otherId + " but";
      int failedBefore = TlsAttacker.occurrences(logs(ctx, leader), "TLS handshake failed");
      byte[] claim = TlsAttacker.handshakeClaim(ec, otherId);
      // Up to 3 tries: on a loaded machine the member may cut the connection at its handshake deadline before it
      // reads the claim ("no complete handshake"), which is a refusal but says nothing about the identity check.
      String refusal = "none";
      for (int attempt = 0; attempt < 3 && !refusal.contains(claimLog); attempt++) {
        int refusalsBefore = TlsAttacker.occurrences(logs(ctx, leader), REFUSED);
        attacker.openssl(files.member(follower), peerPort, claim);
        waitFor(Duration.ofSeconds(15), () -> TlsAttacker.occurrences(logs(ctx, leader), REFUSED) > refusalsBefore);
        refusal = logs(ctx, leader).lines().filter(l -> l.contains(REFUSED)).skip(refusalsBefore).findFirst()
            .orElse("none");
      }
      int at = refusal.indexOf(REFUSED);
      r.put("spoof_refusal", "\"" + (at < 0 ? refusal : refusal.substring(at)).replace('"', '\'') + "\"");
      boolean spoofLogged = refusal.contains(claimLog);
      attacker.openssl(null, peerPort, claim);
      attacker.openssl(foreign, peerPort, claim);
      boolean noCertPeerRefused = waitFor(Duration.ofSeconds(30),
          () -> TlsAttacker.occurrences(logs(ctx, leader), "TLS handshake failed") >= failedBefore + 2);
      field(r, "peer_id_spoof_refused", spoofLogged && noCertPeerRefused,
          "leader " + leader + " logged '" + claimLog + "': " + spoofLogged
              + ", two failed peer handshakes (no certificate, another CA): " + noCertPeerRefused);

      // 6. The oversized pre-handshake flood on the peer port: each connection is cut at its first TLS record (logged
      //    "TLS handshake failed"), or at the handshake deadline when the member is slow to read (loaded machine).
      long floodStart = System.currentTimeMillis();
      int refusedBefore = TlsAttacker.occurrences(logs(ctx, leader), REFUSED);
      TlsAttacker.floodInParallel(peerPort, FLOOD_CONNECTIONS, FLOOD_BYTES);
      boolean floodCut = waitFor(Duration.ofSeconds(30), () -> TlsAttacker.occurrences(logs(ctx, leader),
          REFUSED) >= refusedBefore + FLOOD_CONNECTIONS);
      r.put("flood_ms", System.currentTimeMillis() - floodStart);
      field(r, "prehandshake_flood_refused", floodCut && restarts(ctx, ec) == restartsBefore,
          FLOOD_CONNECTIONS + " connections of " + (FLOOD_BYTES >> 20) + " MiB: each refused (logged) " + floodCut
              + ", restarts " + restarts(ctx, ec) + " (were " + restartsBefore + ")");

      // 7. 1 MiB writes until the keyspace quota (spec.keyspaceQuota 8Mi) refuses them on every member alike.
      writeFlood(ctx, r, ec, leaderP, files, app);
    } finally {
      writer.stopAndJoin();
    }

    // Still serving: every member Ready, none restarted, a member answers the client's certificate, writes went on.
    boolean ready = waitFor(Duration.ofSeconds(60), () -> ctx.members(ec).stream().allMatch(SecurityAttacks::ready));
    int restartsAfter = restarts(ctx, ec);
    String status = attacker.curl(app, "GET", base + "/v1/status", null);
    boolean serving = ready && restartsAfter == restartsBefore && status.startsWith("200 ") && writer.ackedCount() > 0;
    r.put("still_serving", serving).put("restarts", restartsAfter - restartsBefore).put("writes_acked", writer.ackedCount())
        .put("writes_failed", writer.failures());
    r.check(serving, "not serving as before: all Ready " + ready + ", restarts " + restartsBefore + " -> " + restartsAfter
        + ", status " + status.substring(0, Math.min(80, status.length())) + ", acked " + writer.ackedCount());
    List<String> lost = writer.verify(clientPorts);
    r.put("acked_lost", lost.size());
    KvWriter.checkNoneLost(r, lost);
  }

  /** 1 MiB puts to the leader's etcd port until one is refused for space; then reads, deletes and compaction work. */
  private static void writeFlood(JourneyContext ctx, ScenarioResult r, String ec, Pod leader, TlsClusterFiles files,
                                 Path app)
      throws Exception {
    InetSocketAddress etcd = ctx.cluster().reach(leader, JourneyContext.ETCD_PORT);
    ByteSequence value = ByteSequence.from(new byte[VALUE_BYTES]);
    int accepted = 0;
    String refusal = null;
    try (Client client = dev.ballot.e2e.clients.EtcdKv.client(etcd, app, files.authority(etcd))) {
      for (int i = 0; i < 24 && refusal == null; i++) {
        String answer = put(client, "big-" + i, value);
        if (answer == null) {
          accepted++;
        } else {
          refusal = answer;
        }
      }
      boolean refusedForSpace = refusal != null && refusal.contains(SPACE_EXCEEDED);
      r.put("flood_writes_accepted", accepted);
      field(r, "write_flood_refused", refusedForSpace && accepted > 0, "after " + accepted + " writes of 1 MiB: " + refusal);
      if (!refusedForSpace) {
        return;
      }
      boolean reads = client.getKVClient().get(key("big-0")).get(5, TimeUnit.SECONDS).getKvs().size() == 1;
      boolean absent = client.getKVClient().get(key("big-" + accepted)).get(5, TimeUnit.SECONDS).getKvs().isEmpty();
      // The operator turns the members' alarm into the condition (within a status heartbeat, or the 30 s refresh).
      String quotaCondition = "KeyspaceQuotaExceeded";
      boolean raised = waitFor(Duration.ofSeconds(90), () -> QuorumLossRecovery.conditionMessage(
          QuorumLossRecovery.status(ctx, ec), quotaCondition).startsWith("True/"));
      r.put("quota_condition_raised", raised);
      long rev = client.getKVClient().delete(key("big-"), io.etcd.jetcd.options.DeleteOption.builder()
          .isPrefix(true).build()).get(5, TimeUnit.SECONDS).getHeader().getRevision();
      client.getKVClient().compact(rev).get(5, TimeUnit.SECONDS);
      // As in etcd, the NOSPACE alarm stands until disarmed (etcdctl alarm disarm), whatever space was freed.
      List<io.etcd.jetcd.maintenance.AlarmMember> alarms = client.getMaintenanceClient().listAlarms()
          .get(5, TimeUnit.SECONDS).getAlarms();
      boolean listed = !alarms.isEmpty() && alarms.stream()
          .allMatch(a -> a.getAlarmType() == io.etcd.jetcd.maintenance.AlarmType.NOSPACE);
      for (io.etcd.jetcd.maintenance.AlarmMember a : alarms) {
        client.getMaintenanceClient().alarmDisarm(a).get(5, TimeUnit.SECONDS);
      }
      r.put("nospace_alarm_listed", listed);
      boolean cleared = waitFor(Duration.ofSeconds(90), () -> QuorumLossRecovery.conditionMessage(
          QuorumLossRecovery.status(ctx, ec), quotaCondition).startsWith("False/"));
      r.put("quota_condition_cleared", cleared);
      r.check(raised && cleared, "condition " + quotaCondition + " raised " + raised + ", cleared after disarm " + cleared
          + ": " + QuorumLossRecovery.conditionMessage(QuorumLossRecovery.status(ctx, ec), quotaCondition));
      String again = put(client, "big-after", ByteSequence.from("small", StandardCharsets.UTF_8));
      r.check(reads && absent && listed && again == null, "under the quota: reads work " + reads
          + ", the refused write absent " + absent + ", NOSPACE listed " + listed + " (" + alarms.size()
          + " members), a write after delete, compaction and disarm: " + (again == null ? "ok" : again));
    }
  }

  /** null when acknowledged; the error otherwise (retried while the cluster elects: its fate is unknown then). */
  private static String put(Client client, String k, ByteSequence value) throws InterruptedException {
    String error = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        client.getKVClient().put(key(k), value).get(10, TimeUnit.SECONDS);
        return null;
      } catch (java.util.concurrent.ExecutionException e) {
        error = String.valueOf(e.getCause());
        if (error.contains(SPACE_EXCEEDED) || !error.contains("UNAVAILABLE")) {
          return error;
        }
      } catch (java.util.concurrent.TimeoutException e) {
        error = "no answer in 10 s";
      }
      Thread.sleep(500);
    }
    return error;
  }

  private static ByteSequence key(String k) {
    return ByteSequence.from(k, StandardCharsets.UTF_8);
  }

  private static void field(ScenarioResult r, String key, boolean refused, String detail) {
    r.put(key, refused);
    r.check(refused, key + " is false: " + detail.substring(0, Math.min(300, detail.length())).replace('\n', ' '));
  }

  static int ordinal(String pod) {
    return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
  }

  static String logs(JourneyContext ctx, String pod) {
    return ctx.kubectl().runQuiet("logs", pod, "-n", ctx.namespace()).out();
  }

  static int restarts(JourneyContext ctx, String ec) {
    int n = 0;
    for (Pod p : ctx.members(ec)) {
      if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
        n += p.getStatus().getContainerStatuses().stream().mapToInt(c -> c.getRestartCount() == null ? 0 : c.getRestartCount()).sum();
      }
    }
    return n;
  }

  static boolean ready(Pod p) {
    return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean waitFor(Duration max, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + max.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(500);
    }
    return condition.getAsBoolean();
  }
}
