package dev.ballot.node.zookeeper;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.tls.CertificateAuthority;
import dev.ballot.nodeapi.tls.ReloadingTls;
import dev.ballot.zookeeper.OpCode;
import dev.ballot.zookeeper.Txn;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ZooKeeper port of a TLS cluster (ZooKeeper's secureClientPort; client auth Optional, the operator's default)
 * with ZooKeeper's own 3.9.4 Java client in secure mode (Netty, PEM key and trust stores) and Curator 5.9: with an
 * application's certificate from the cluster's CA, sessions, writes through a follower (its leader link runs over TLS
 * with its member certificate) and a lock work; without a certificate or with another CA's no session is established.
 * An application's certificate that opens a leader link (to propose another session's closeSession) is refused and
 * logged; the same frames with a member's certificate are accepted, which shows the refusal is the certificate's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class ZooKeeperTlsTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    /** tickTime 300 ms: sessions of up to 6 s (20 ticks) survive this shared machine's pauses. */
    private static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(100), Duration.ofMillis(300), 10, 5);
    private static final int SESSION_MS = 6_000;
    /** LeaderLink's first frame's tag and its PROPOSE kind (package-private there): what an attacker would send. */
    private static final int LINK_MAGIC = 0x42414C54;
    private static final int LINK_PROPOSE = 2;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path work;
    LocalCluster cluster;
    LocalTls tls;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new LocalCluster(Protocol.ZAB, 3, TIMING, work, NODE_JVM);
        try {
            tls = cluster.enableTls("Optional");
            cluster.enableZooKeeper();
            cluster.startAll();
            awaitLeader();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing what the tests left open
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    long awaitLeader() {
        return await("a leader (logs in " + work + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(cluster::leader, Optional::isPresent).orElseThrow().id();
    }

    /**
     * What an application sets to reach a TLS cluster's ZooKeeper port: ZooKeeper's secure client over Netty, the
     * Secret's files as PEM stores (the key store is one file holding the key and the certificate).
     */
    ZKClientConfig secureConfig(Path certDir) throws IOException {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty("zookeeper.ssl.trustStore.location", tls.client().resolve("ca.crt").toString());
        config.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        if (certDir != null) {
            Path keyStore = certDir.resolve("keystore.pem");
            Files.writeString(keyStore, Files.readString(certDir.resolve("tls.key")) + Files.readString(certDir.resolve("tls.crt")));
            config.setProperty("zookeeper.ssl.keyStore.location", keyStore.toString());
            config.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        }
        return config;
    }

    ZooKeeper connect(String connect, Path certDir, CountDownLatch up) throws Exception {
        ZooKeeper zk = new ZooKeeper(connect, SESSION_MS, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        }, secureConfig(certDir));
        open.add(zk::close);
        return zk;
    }

    ZooKeeper connected(String connect, Path certDir) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = connect(connect, certDir, up);
        assertThat(up.await(30, TimeUnit.SECONDS)).as("a TLS session with %s (logs in %s)", connect, work).isTrue();
        return zk;
    }

    String connectString() {
        return String.join(",", cluster.nodes().stream().map(n -> cluster.zooKeeperAddress(n.id())).toList());
    }

    @Test
    void theJavaClientAndCuratorWithAnApplicationCertificateWork() throws Exception {
        long leader = awaitLeader();
        long follower = leader % 3 + 1;
        ZooKeeper viaFollower = connected(cluster.zooKeeperAddress(follower), tls.client());
        viaFollower.create("/tls-app", "v1".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT);
        viaFollower.create("/tls-app/eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        ZooKeeper viaLeader = connected(cluster.zooKeeperAddress(leader), tls.client());
        viaLeader.sync("/tls-app", (rc, path, ctx) -> { }, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> viaLeader.exists("/tls-app/eph", false) != null);
        assertThat(new String(viaLeader.getData("/tls-app", false, null), StandardCharsets.UTF_8)).isEqualTo("v1");
        System.out.println("ZooKeeperTlsTest: ZooKeeper 3.9.4 Java client (secure, Netty, PEM) wrote through follower "
                + follower + " (its leader link over TLS) and read on leader " + leader);

        CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(connectString())
                .sessionTimeoutMs(SESSION_MS).connectionTimeoutMs(10_000).retryPolicy(new ExponentialBackoffRetry(100, 10))
                .zkClientConfig(secureConfig(tls.client())).build();
        open.add(curator);
        curator.start();
        assertThat(curator.blockUntilConnected(30, TimeUnit.SECONDS)).isTrue();
        InterProcessMutex lock = new InterProcessMutex(curator, "/tls-locks/a");
        assertThat(lock.acquire(15, TimeUnit.SECONDS)).isTrue();
        curator.setData().forPath("/tls-app", "v2".getBytes(StandardCharsets.UTF_8));
        lock.release();
        assertThat(new String(curator.getData().forPath("/tls-app"), StandardCharsets.UTF_8)).isEqualTo("v2");
        System.out.println("ZooKeeperTlsTest: Curator 5.9 (zkClientConfig secure) took and released an InterProcessMutex"
                + " and wrote");
    }

    @Test
    void withoutACertificateOrWithAnotherCasNoSessionIsEstablished() throws Exception {
        long leader = awaitLeader();
        CountDownLatch none = new CountDownLatch(1);
        ZooKeeper anonymous = connect(cluster.zooKeeperAddress(leader), null, none);
        System.out.println("ZooKeeperTlsTest: leader " + leader + " logged: "
                + awaitLog(leader, "refused a ZooKeeper session from", "no client certificate"));
        assertThat(none.getCount()).as("no session without a certificate").isEqualTo(1);
        assertThat(anonymous.getState().isConnected()).isFalse();
        anonymous.close();

        Path foreign = work.resolve("foreign");
        CertificateAuthority other = CertificateAuthority.create("another-ca", Instant.now().minusSeconds(60), Duration.ofDays(1));
        other.writeDirectory(foreign, other.issue("intruder", List.of(), List.of(), List.of(),
                Instant.now().minusSeconds(60), Duration.ofDays(1)));
        long refusedBefore = refusals(leader);
        CountDownLatch foreignUp = new CountDownLatch(1);
        ZooKeeper intruder = connect(cluster.zooKeeperAddress(leader), foreign, foreignUp);
        // The server names the cluster's CA in its certificate request, so ZooKeeper's client presents no certificate
        // (refused as above); a client that presents it anyway fails the TLS handshake. Either is logged.
        await("node " + leader + " refuses the client with another CA's certificate").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200)).until(() -> refusals(leader) > refusedBefore);
        assertThat(foreignUp.getCount()).as("no session with another CA's certificate").isEqualTo(1);
        assertThat(intruder.getState().isConnected()).isFalse();
        intruder.close();
        System.out.println("ZooKeeperTlsTest: no certificate -> no session (refused and logged); another CA's -> no"
                + " session (refused and logged)");
    }

    @Test
    void aLeaderLinkFromAnApplicationCertificateIsRefusedAndFromAMembersAccepted() throws Exception {
        long leader = awaitLeader();
        ZooKeeper victim = connected(cluster.zooKeeperAddress(leader), tls.client());
        String eph = victim.create("/victim-eph", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        byte[] closeVictim = new Txn(42, OpCode.CLOSE_SESSION, victim.getSessionId(), System.currentTimeMillis(),
                new byte[0]).encode();

        // An application's certificate: the TLS handshake succeeds (it is from the cluster's CA), the link is refused.
        String appAnswer = sendLink(tls.client(), leader, closeVictim);
        String logged = awaitLog(leader, "refused a leader link from", "not a member of this cluster");
        System.out.println("ZooKeeperTlsTest: leader " + leader + " logged: " + logged);
        assertThat(appAnswer).as("the connection is closed, no reply").isEqualTo("closed");
        ZooKeeper checker = connected(cluster.zooKeeperAddress(leader % 3 + 1), tls.client());
        checker.sync("/", (rc, path, ctx) -> { }, null);
        assertThat(checker.exists(eph, false)).as("the victim's ephemeral znode").isNotNull();
        assertThat(victim.getState().isConnected()).isTrue();

        // Control: the same frames with a member's certificate are a leader link; the proposal closes the session.
        long member = leader % 3 + 1;
        String memberAnswer = sendLink(tls.member(member), leader, closeVictim);
        assertThat(memberAnswer).as("a member's link gets the leader's reply").startsWith("reply status=0");
        await("the proposed closeSession applied").atMost(Duration.ofSeconds(15))
                .until(() -> checker.exists(eph, false) == null);
        System.out.println("ZooKeeperTlsTest: leader link with an application's certificate -> refused and logged, the"
                + " victim's session and ephemeral znode intact; with member " + member + "'s -> " + memberAnswer);
    }

    /**
     * The secure port chooses ChaCha20-Poly1305 when a client offers it after AES-GCM (the JDK client's own order puts
     * AES first): the member's C1-only JVM seals ChaCha20 records 3-4x cheaper (docs/bench.md, TLS).
     */
    @Test
    void theSecurePortChoosesChaCha20WhenAClientOffersItAfterAesGcm() throws Exception {
        String address = cluster.zooKeeperAddress(awaitLeader());
        int colon = address.lastIndexOf(':');
        var context = ReloadingTls.open(tls.client()).context();
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.setEnabledProtocols(new String[] {"TLSv1.3"});
            s.setEnabledCipherSuites(new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                    "TLS_CHACHA20_POLY1305_SHA256"});
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 2000);
            s.setSoTimeout(15_000);
            s.startHandshake();
            assertThat(s.getSession().getCipherSuite()).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        }
    }

    /**
     * Opens a TLS connection to the leader's secure client port with the certificate in {@code certDir} and sends a leader
     * link's hello and one PROPOSE of {@code txn}: "reply status=N" when the leader answered, "closed" when it closed the
     * connection instead.
     */
    private String sendLink(Path certDir, long leader, byte[] txn) throws Exception {
        String address = cluster.zooKeeperAddress(leader);
        int colon = address.lastIndexOf(':');
        var context = ReloadingTls.open(certDir).context();
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))), 2000);
            s.setSoTimeout(15_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] id = cluster.clusterId().getBytes(StandardCharsets.UTF_8);
            out.writeInt(4 + 4 + id.length);
            out.writeInt(LINK_MAGIC);
            out.writeInt(id.length);
            out.write(id);
            out.writeInt(4 + 8 + txn.length);
            out.writeInt(LINK_PROPOSE);
            out.writeLong(1);
            out.write(txn);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readInt();
            in.readInt(); // REPLY
            in.readLong();
            return "reply status=" + in.readInt();
        } catch (IOException e) {
            return "closed";
        }
    }

    /** Connections the member refused on its secure port so far (no certificate, or a failed TLS handshake). */
    private long refusals(long id) throws IOException {
        return Files.readString(cluster.node(id).log()).lines().filter(l -> l.contains("refused a ZooKeeper session from")
                || l.contains("on the secure port: TLS handshake failed")).count();
    }

    /** The first line of the member's log that contains both, once it appears. */
    private String awaitLog(long id, String part, String detail) {
        Path log = cluster.node(id).log();
        return await("node " + id + " logs '" + part + "...'" + detail + " (" + log + ")").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(log).lines().filter(l -> l.contains(part) && l.contains(detail)).findFirst(),
                        Optional::isPresent).orElseThrow();
    }
}
