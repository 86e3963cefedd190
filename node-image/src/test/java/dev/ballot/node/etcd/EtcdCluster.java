package dev.ballot.node.etcd;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.awaitility.Awaitility.await;

/** Three Ballot Raft nodes as real processes on loopback, serving the etcd v3 API. */
final class EtcdCluster implements AutoCloseable {
    /** With the image's settings for gRPC's Netty (node-image/pom.xml, entrypoint): the etcd API tests run its allocator. */
    static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k", "-Dballot.etcd.progressMillis=1000",
            "-Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled", "-Dio.grpc.netty.shaded.io.netty.jfr.enabled=false");

    final LocalCluster cluster;

    /**
     * Elections slower than the seed's (500-1000 ms, heartbeat 100 ms): these tests check the etcd API, not
     * failover speed, and on a machine shared by many builds (load 40-60 seen) the seed's 150-300 ms made the
     * cluster change leaders every second or so.
     */
    static final DemoTiming TIMING = new DemoTiming(Duration.ofMillis(500), Duration.ofMillis(1000),
            Duration.ofMillis(100), Duration.ofMillis(50), 10, 4);

    EtcdCluster(Path work) throws Exception {
        this(work, null);
    }

    /** @param clientAuth null: plain; else TLS on ({@link LocalCluster#enableTls}) with this client-auth mode */
    EtcdCluster(Path work, String clientAuth) throws Exception {
        this(work, clientAuth, Long.MAX_VALUE);
    }

    /** @param quotaBytes the keyspace quota ({@code quota_bytes}); {@link Long#MAX_VALUE}: none */
    EtcdCluster(Path work, String clientAuth, long quotaBytes) throws Exception {
        cluster = new LocalCluster(Protocol.RAFT, 3, TIMING, work, NODE_JVM);
        try {
            if (clientAuth != null) {
                cluster.enableTls(clientAuth);
            }
            if (quotaBytes != Long.MAX_VALUE) {
                cluster.enableQuota(quotaBytes);
            }
            cluster.enableEtcd();
            cluster.startAll();
            awaitLeader();
        } catch (Exception | Error e) {
            cluster.close(); // no node processes left behind
            throw e;
        }
    }

    long awaitLeader() {
        return await("a leader (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50)).until(cluster::leader, Optional::isPresent).orElseThrow().id();
    }

    String[] endpoints() {
        return cluster.nodes().stream().map(n -> cluster.etcdEndpoint(n.id())).toArray(String[]::new);
    }

    String endpoint(long id) {
        return cluster.etcdEndpoint(id);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
