package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.node.transport.Handshake;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    @Test
    @Timeout(240)
    void everyAttackIsRefusedAndTheClusterKeepsServing() throws Exception {
        System.out.println("TlsAttacksProcessTest: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, DemoTiming.SEED, work, NODE_JVM)) {
            tls = cluster.enableTls("Optional");
            cluster.enableQuota(QUOTA_BYTES);
            cluster.startAll();
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
            Path foreign = issue("foreign", CertificateAuthority.create("another-ca", Instant.now().minusSeconds(60),
                    Duration.ofDays(1)), Instant.now().minusSeconds(60), Duration.ofDays(1));
            assertThat(curl(foreign, "GET", base + "/v1/kv/before", null)).as("another CA's certificate").startsWith("000 ");

            // 3. An expired certificate from the right CA: the TLS handshake fails.
            Path expired = issue("expired", tls.ca(), Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1));
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
            byte[] claim = new Handshake(cluster.clusterId(), other).toFrame().encode();
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
            List<Thread> flood = new ArrayList<>();
            for (int i = 0; i < FLOOD_CONNECTIONS; i++) {
                Thread t = new Thread(() -> flood(peerPort));
                t.start();
                flood.add(t);
            }
            for (Thread t : flood) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            awaitLog(cluster, leader, "TLS handshake failed", 2 + FLOOD_CONNECTIONS);

            // 7. A flood of 64 KiB writes: once the keyspace would pass the 1 MiB quota every replica refuses them (507
            //    no_space, nothing applied); reads and deletes still work, /v1/status raises NOSPACE until space is freed.
            Path mib = work.resolve("value");
            Files.write(mib, new byte[VALUE_BYTES]);
            int accepted = 0;
            String refusal = null;
            for (int i = 0; i < 24 && refusal == null; i++) {
                String answer = putRetryingUnavailable(base + "/v1/kv/big-" + i, mib);
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

    /**
     * A PUT of the file, repeated (idempotent: the same value) while the answer is 503/504 or none: on a loaded
     * machine 1 MiB writes can cost the leader its leadership, and the write's fate is then unknown until retried.
     */
    private String putRetryingUnavailable(String url, Path file) throws Exception {
        String answer = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            answer = curl(tls.client(), "PUT", url, "@" + file);
            if (!answer.startsWith("503 ") && !answer.startsWith("504 ") && !answer.startsWith("000 ")) {
                return answer;
            }
        }
        return answer;
    }

    /** A client certificate from {@code ca} in its own directory (cert-manager's layout). */
    private Path issue(String name, CertificateAuthority ca, Instant notBefore, Duration validity) throws IOException {
        Path dir = work.resolve("attacker-" + name);
        ca.writeDirectory(dir, ca.issue(name, List.of(), List.of(), List.of(), notBefore, validity));
        // curl verifies the server with the cluster's CA, whoever issued the client's certificate
        Files.copy(tls.dir().resolve("client").resolve("ca.crt"), dir.resolve("ca.crt"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** curl's answer as "status body"; "000 ..." when no HTTP answer came (a failed TLS handshake). */
    private String curl(Path certDir, String method, String url, String body) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-X", method,
                "--cacert", tls.dir().resolve("client").resolve("ca.crt").toString(), "-w", "\n%{http_code}"));
        if (certDir != null) {
            cmd.addAll(List.of("--cert", certDir.resolve("tls.crt").toString(), "--key", certDir.resolve("tls.key").toString()));
        }
        if (body != null) {
            cmd.addAll(List.of("--data-binary", body));
        }
        cmd.add(url);
        String out = run(cmd, null);
        int nl = out.lastIndexOf('\n');
        String code = out.substring(nl + 1).strip();
        return code + " " + out.substring(0, Math.max(0, nl)).strip();
    }

    /** {@code openssl s_client}; with {@code input}, it sends it and waits for the node to close the connection. */
    private String openssl(Path certDir, InetSocketAddress target, byte[] input) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                target.getHostString() + ":" + target.getPort(), "-tls1_3",
                "-CAfile", tls.dir().resolve("client").resolve("ca.crt").toString()));
        if (certDir != null) {
            cmd.addAll(List.of("-cert", certDir.resolve("tls.crt").toString(), "-key", certDir.resolve("tls.key").toString()));
        }
        if (input != null) {
            cmd.add("-ign_eof");
        }
        return run(cmd, input);
    }

    private static String run(List<String> cmd, byte[] stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd.get(0) + " did not finish in 20 s: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void awaitLog(LocalCluster cluster, long node, String text, int times) {
        await("'" + text + "' logged " + times + " times by node " + node).atMost(Duration.ofSeconds(20))
                .until(() -> Files.readString(cluster.node(node).log()), l -> l.split(java.util.regex.Pattern.quote(text), -1).length - 1 >= times);
    }

    /** Announces a 13 MiB frame in plain TCP and streams it; the node must cut it off at the TLS layer. */
    private static void flood(InetSocketAddress target) {
        try (Socket s = new Socket()) {
            s.connect(target, 2_000);
            OutputStream out = s.getOutputStream();
            out.write(java.nio.ByteBuffer.allocate(6).putInt(FLOOD_BYTES + 2).put((byte) 1).put((byte) 1).array());
            byte[] chunk = new byte[64 << 10];
            for (long written = 6; written < FLOOD_BYTES + 6; written += chunk.length) {
                out.write(chunk);
            }
            s.setSoTimeout(10_000);
            s.getInputStream().read();
        } catch (IOException closedByTheNode) {
            // reset or broken pipe: the node refused the rest
        }
    }

    private static long awaitLeader(LocalCluster cluster) {
        return await("a leader (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(cluster::leader, java.util.Optional::isPresent).get().id();
    }
}
