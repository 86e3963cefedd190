package dev.ballot.node.etcd;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code tls_client_auth: Required} on the native ports, one single-member cluster each: the TLS handshake itself
 * fails without a client certificate (etcdctl gets no answer, ZooKeeper's client no session, and the member logs a
 * failed handshake), and the application's certificate works.
 */
class NativePortsRequiredTlsTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(150)
    void etcdRefusesTheHandshakeWithoutACertificate() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, EtcdCluster.TIMING, work, EtcdCluster.NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Required");
            cluster.enableEtcd();
            cluster.startAll();
            awaitLeader(cluster);
            String endpoint = cluster.etcdEndpoint(1);
            EtcdTlsTest.Run none = run(List.of("etcdctl", "--endpoints=" + endpoint, "--cacert=" + tls.client().resolve("ca.crt"),
                    "--dial-timeout=3s", "--command-timeout=5s", "put", "req/k", "no"));
            assertThat(none.exit()).as(none.out()).isNotZero();
            EtcdTlsTest.Run with = run(List.of("etcdctl", "--endpoints=" + endpoint, "--cacert=" + tls.client().resolve("ca.crt"),
                    "--cert=" + tls.client().resolve("tls.crt"), "--key=" + tls.client().resolve("tls.key"),
                    "--command-timeout=10s", "put", "req/k", "yes"));
            assertThat(with.exit()).as(with.out()).isZero();
            System.out.println("NativePortsRequiredTlsTest: etcd, Required: no certificate -> exit " + none.exit() + " "
                    + none.out().lines().filter(l -> l.startsWith("Error")).findFirst().orElse("")
                    + "; the application's certificate -> " + with.out().strip());
        }
    }

    @Test
    @Timeout(150)
    void zooKeeperRefusesTheHandshakeWithoutACertificate() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.ZAB, 1, EtcdCluster.TIMING, work, EtcdCluster.NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Required");
            cluster.enableZooKeeper();
            cluster.startAll();
            awaitLeader(cluster);
            String address = cluster.zooKeeperAddress(1);
            ZooKeeper anonymous = new ZooKeeper(address, 6_000, e -> { }, config(tls, null));
            try {
                Path log = cluster.node(1).log();
                await("a failed handshake logged (" + log + ")").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> Files.readString(log).contains("on the secure port: TLS handshake failed"));
                assertThat(anonymous.getState().isConnected()).isFalse();
            } finally {
                anonymous.close();
            }
            CountDownLatch up = new CountDownLatch(1);
            ZooKeeper app = new ZooKeeper(address, 6_000, e -> {
                if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    up.countDown();
                }
            }, config(tls, tls.client()));
            try {
                assertThat(up.await(30, TimeUnit.SECONDS)).isTrue();
                app.create("/required", "yes".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertThat(new String(app.getData("/required", false, null), StandardCharsets.UTF_8)).isEqualTo("yes");
            } finally {
                app.close();
            }
            System.out.println("NativePortsRequiredTlsTest: ZooKeeper, Required: no certificate -> TLS handshake failed"
                    + " (logged), no session; the application's certificate -> session, create and read");
        }
    }

    private static ZKClientConfig config(LocalTls tls, Path certDir) throws Exception {
        ZKClientConfig c = new ZKClientConfig();
        c.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        c.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        c.setProperty("zookeeper.ssl.trustStore.location", tls.client().resolve("ca.crt").toString());
        c.setProperty("zookeeper.ssl.trustStore.type", "PEM");
        if (certDir != null) {
            Path store = certDir.resolve("keystore.pem");
            Files.writeString(store, Files.readString(certDir.resolve("tls.key")) + Files.readString(certDir.resolve("tls.crt")));
            c.setProperty("zookeeper.ssl.keyStore.location", store.toString());
            c.setProperty("zookeeper.ssl.keyStore.type", "PEM");
        }
        return c;
    }

    private static void awaitLeader(LocalCluster cluster) {
        await("a leader (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(cluster::leader, Optional::isPresent);
    }

    private static EtcdTlsTest.Run run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true);
        pb.environment().put("ETCDCTL_API", "3");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new EtcdTlsTest.Run(p.exitValue(), out);
    }
}
