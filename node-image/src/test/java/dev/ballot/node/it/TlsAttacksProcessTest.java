package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.node.transport.Handshake;
import dev.ballot.nodeapi.attack.TlsAttacker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12's attacks on a real three-node cluster with TLS on, each made with a third-party client (curl, openssl
 * s_client) where one can speak the protocol: no certificate, a certificate from another CA, an expired one, a member's
 * certificate used for admin, a peer that claims another member's id, and the oversized pre-handshake flood. Each is
 * refused cleanly (an HTTP error naming the identity, or a failed TLS handshake logged by the node), and the node keeps
 * serving with nothing lost. .ci/run installs curl and openssl.
 */
class TlsAttacksProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final int FLOOD_CONNECTIONS = 6;
    private static final int FLOOD_BYTES = 13 << 20;
    /**
     * 1 MiB of keyspace, filled with 64 KiB writes: with 1 MiB values the seed's 150 ms election timeout was not met
     * on this 2-core machine at load 25-90 (a 1 MiB append delays heartbeats), so leadership churned and the test
     * measured elections instead of the quota.
     */
    private static final long QUOTA_BYTES = 1L << 20;
    private static final int VALUE_BYTES = 64 << 10;

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    private LocalTls tls;
    private TlsAttacker attacker;

    @Test
    @Timeout(240)
    void everyAttackIsRefusedAndTheClusterKeepsServing() throws Exception {
        System.out.println("TlsAttacksProcessTest: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, DemoTiming.SEED, work, NODE_JVM)) {
            tls = cluster.enableTls("Optional");
            attacker = new TlsAttacker(work, tls.dir().resolve("client").resolve("ca.crt"));
            cluster.enableQuota(QUOTA_BYTES);
            cluster.startAll();
            // every member up, not only a leader and one follower: the first attack goes through the other follower
            // (a CI rehearsal: it had not opened its port yet on a loaded machine)
            await("all members ready (logs in " + work + ")").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())));
            long leader = awaitLeader(cluster);
            long leaderPid = cluster.node(leader).process().pid();
            String base = "https://" + cluster.clientAddress(leader);
            long follower = leader % 3 + 1;
            assertThat(curl(tls.client(), "PUT", "https://" + cluster.clientAddress(follower) + "/v1/kv/before", "kept"))
                    .as("an application's certificate writes through a follower (forwarded with the member's own)")
                    .startsWith("200 ");

            // 1. No certificate: the TLS handshake succeeds (Optional, for probes), the key-value API answers 401.
            assertThat(curl(null, "GET", base + "/v1/kv/before", null)).startsWith("401 ").contains("unauthenticated");
            assertThat(curl(null, "GET", base + "/readyz", null)).as("probes need no certificate").startsWith("200 ");

            // 2. A certificate from another CA: the TLS handshake fails.
            Path foreign = attacker.foreignCertificate();
            assertThat(curl(foreign, "GET", base + "/v1/kv/before", null)).as("another CA's certificate").startsWith("000 ");

            // 3. An expired certificate from the right CA: the TLS handshake fails.
            Path expired = attacker.expiredCertificate(tls.ca());
            assertThat(curl(expired, "GET", base + "/v1/kv/before", null)).as("an expired certificate").startsWith("000 ");

            // 4. A member's certificate used for admin: 403, and the membership is unchanged.
            String add = "{\"id\":\"node-9\",\"address\":\"127.0.0.9:2380\"}";
            assertThat(curl(tls.member(follower), "POST", base + "/v1/admin/members", add))
                    .startsWith("403 ").contains("forbidden").contains("ballot://operator");
            assertThat(curl(tls.client(), "POST", base + "/v1/admin/members", add)).as("an application's certificate")
                    .startsWith("403 ");
            assertThat(curl(tls.operator(), "GET", base + "/v1/admin/members", null)).startsWith("200 ")
                    .doesNotContain("node-9");

            // 5. A peer that claims another member's id: a valid member certificate (the follower's), a handshake that
            //    says it is the third member. openssl s_client speaks TLS; the Ballot handshake frame is its input.
            long other = 6 - leader - follower;
            byte[] claim = TlsAttacker.handshakeClaim(cluster.clusterId(), other);
            assertThat(claim).as("the attacker's frame is the node's handshake")
                    .isEqualTo(new Handshake(cluster.clusterId(), other).toFrame().encode());
            InetSocketAddress peerPort = PeerFloodProcessTest.peerAddress(cluster, leader);
            String sClient = openssl(tls.member(follower), peerPort, claim);
            awaitLog(cluster, leader, "claims to be member " + other + " but", 1);
            System.out.println("TlsAttacksProcessTest: openssl s_client as member " + follower + " claiming " + other
                    + " ended: " + sClient.lines().filter(l -> l.contains("Verif") || l.contains("error")).toList());
            // ... and a peer-port client without a certificate, or with another CA's, fails its TLS handshake.
            openssl(null, peerPort, claim);
            openssl(foreign, peerPort, claim);
            awaitLog(cluster, leader, "TLS handshake failed", 2);

            // 6. The oversized pre-handshake flood on the peer port: each connection is cut at its first TLS record.
            TlsAttacker.floodInParallel(peerPort, FLOOD_CONNECTIONS, FLOOD_BYTES);
            awaitLog(cluster, leader, "TLS handshake failed", 2 + FLOOD_CONNECTIONS);

            // 7. A flood of 64 KiB writes: once the keyspace would pass the 1 MiB quota every replica refuses them (507
            //    no_space, nothing applied); reads and deletes still work, /v1/status raises NOSPACE until space is freed.
            Path mib = work.resolve("value");
            Files.write(mib, new byte[VALUE_BYTES]);
            int accepted = 0;
            String refusal = null;
            for (int i = 0; i < 24 && refusal == null; i++) {
                String answer = attacker.putRetryingUnavailable(tls.client(), base + "/v1/kv/big-" + i, mib);
                if (answer.startsWith("200 ")) {
                    accepted++;
                } else {
                    refusal = answer;
                }
            }
            assertThat(refusal).as("a write past the quota").startsWith("507 ").contains("no_space").contains("quota_bytes");
            assertThat(accepted).isEqualTo(15); // 15 x (64 KiB + key) + "before"/"kept" fit; the 16th would not
            assertThat(curl(tls.client(), "GET", base + "/v1/status", null)).contains("\"alarms\":[\"NOSPACE\"]");
            assertThat(curl(tls.client(), "GET", base + "/v1/kv/before", null)).as("reads work").isEqualTo("200 kept");
            assertThat(curl(tls.client(), "GET", base + "/v1/kv/big-" + accepted, null)).as("the refused write is absent")
                    .startsWith("404 ");
            for (int i = 0; i < accepted; i++) {
                assertThat(curl(tls.client(), "DELETE", base + "/v1/kv/big-" + i, null)).as("deletes work").startsWith("200 ");
            }
            assertThat(curl(tls.client(), "GET", base + "/v1/status", null)).contains("\"alarms\":[]");
            System.out.println("TlsAttacksProcessTest: " + accepted + " writes of 64 KiB accepted under the 1 MiB quota, then "
                    + refusal.substring(0, Math.min(120, refusal.length())));

            // The cluster is intact: every node runs, writes and reads work, nothing was lost.
            for (LocalCluster.Node n : cluster.nodes()) {
                assertThat(n.running()).as("node %d runs (log %s)", n.id(), n.log()).isTrue();
                assertThat(Files.readString(n.log())).doesNotContain("OutOfMemoryError");
            }
            long now = awaitLeader(cluster);
            assertThat(curl(tls.client(), "PUT", "https://" + cluster.clientAddress(leader) + "/v1/kv/after", "v"))
                    .startsWith("200 ");
            assertThat(curl(tls.client(), "GET", "https://" + cluster.clientAddress(now) + "/v1/kv/before", null))
                    .isEqualTo("200 kept");
            System.out.println("TlsAttacksProcessTest: leader " + leader + " then " + now
                    + "; all six attacks refused, the attacked node took a write and the first key read back");

            // Renewal without restart: the leader's files are replaced; new connections get the new certificate.
            var renewed = tls.ca().issue("node-" + leader, List.of(), List.of(cluster.node(leader).host()),
                    List.of(dev.ballot.nodeapi.tls.CertIdentity.memberUri(cluster.clusterId(), "node-" + leader)),
                    Instant.now().minusSeconds(60), Duration.ofDays(2));
            tls.ca().writeDirectory(tls.member(leader), renewed);
            String pem = renewed.certificatePem().strip();
            InetSocketAddress api = new InetSocketAddress(cluster.node(leader).host(),
                    Integer.parseInt(cluster.clientAddress(leader).substring(cluster.clientAddress(leader).lastIndexOf(':') + 1)));
            await("the leader's HTTPS port presents the renewed certificate").atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(500)).until(() -> openssl(tls.client(), api, null).contains(pem));
            await("the renewed leader still replicates").atMost(Duration.ofSeconds(15)).until(() ->
                    curl(tls.client(), "PUT", "https://" + cluster.clientAddress(leader) + "/v1/kv/renewed", "r").startsWith("200 "));
            assertThat(cluster.node(leader).process().pid()).as("no restart").isEqualTo(leaderPid);
        }
    }

    private String curl(Path certDir, String method, String url, String body) throws Exception {
        return attacker.curl(certDir, method, url, body);
    }

    private String openssl(Path certDir, InetSocketAddress target, byte[] input) throws Exception {
        return attacker.openssl(certDir, target, input);
    }

    private static void awaitLog(LocalCluster cluster, long node, String text, int times) {
        await("'" + text + "' logged " + times + " times by node " + node).atMost(Duration.ofSeconds(20))
                .until(() -> Files.readString(cluster.node(node).log()), l -> TlsAttacker.occurrences(l, text) >= times);
    }

    private static long awaitLeader(LocalCluster cluster) {
        return await("a leader (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(cluster::leader, java.util.Optional::isPresent).get().id();
    }
}
