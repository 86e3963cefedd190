package dev.ballot.node.it;

import dev.ballot.node.demo.KvClient;
import dev.ballot.node.demo.LocalCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One write and its linearizable read-back through the client API of the state machine a cluster's log feeds:
 * the HTTP key-value map, etcd v3 (jetcd) or ZooKeeper (its Java client, sync then read).
 */
enum PreciousStore {
    KV, ETCD, ZOOKEEPER;

    void configure(LocalCluster cluster) {
        switch (this) {
            case ETCD -> cluster.enableEtcd();
            case ZOOKEEPER -> cluster.enableZooKeeper();
            default -> {
            }
        }
    }

    /** One attempt to write {@code key=value} through member {@code id}; true once acknowledged. */
    boolean tryPut(LocalCluster cluster, long id, String key, String value) throws InterruptedException {
        try {
            switch (this) {
                case KV -> {
                    return new KvClient(List.of(cluster.clientAddress(id)), Duration.ofSeconds(2)).tryPut(key, value);
                }
                case ETCD -> {
                    try (Client c = Client.builder().endpoints(cluster.etcdEndpoint(id)).build()) {
                        c.getKVClient().put(bs(key), bs(value)).get(3, TimeUnit.SECONDS);
                        return true;
                    }
                }
                default -> {
                    try (ZooKeeper zk = zk(cluster.zooKeeperAddress(id))) {
                        zk.create("/" + key, value.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT);
                        return true;
                    } catch (KeeperException.NodeExistsException e) {
                        return true; // an earlier attempt whose answer was lost did create it
                    }
                }
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            Thread.sleep(100); // bounded by the caller's deadline: the cluster may be electing
            return false;
        }
    }

    /** Reads {@code key} linearizably through any running member, retrying until {@code deadlineNanos}. */
    Optional<String> read(LocalCluster cluster, String key, long deadlineNanos) throws Exception {
        if (this == KV) {
            return new KvClient(cluster.clientAddresses(), Duration.ofSeconds(2)).get(key, deadlineNanos);
        }
        Exception last = null;
        while (System.nanoTime() < deadlineNanos) {
            // Members that say they lead first: a member that restarted empty refuses sessions, and each refused
            // one costs a ZooKeeper client its whole 5 s connect wait (tests that lose volumes read 12 keys).
            List<LocalCluster.Node> order = cluster.nodes().stream().filter(LocalCluster.Node::running)
                    .sorted(java.util.Comparator.comparing((LocalCluster.Node n) -> !cluster.status(n.id())
                            .map(dev.ballot.nodeapi.StatusReport::leads).orElse(false)))
                    .toList();
            for (LocalCluster.Node n : order) {
                try {
                    return readOnce(cluster, n.id(), key);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    last = e;
                }
            }
            Thread.sleep(200); // bounded by the deadline
        }
        throw new AssertionError("no member answered a read of " + key + " in time", last);
    }

    /** Reads {@code key} linearizably through member {@code id} only (etcd or ZooKeeper). */
    Optional<String> readOnce(LocalCluster cluster, long id, String key) throws Exception {
        if (this == ETCD) {
            try (Client c = Client.builder().endpoints(cluster.etcdEndpoint(id)).build()) {
                GetResponse r = c.getKVClient().get(bs(key)).get(3, TimeUnit.SECONDS); // serializable=false: linearizable
                return r.getKvs().isEmpty() ? Optional.empty()
                        : Optional.of(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
            }
        }
        try (ZooKeeper zk = zk(cluster.zooKeeperAddress(id))) {
            CountDownLatch synced = new CountDownLatch(1);
            int[] rc = {-1};
            zk.sync("/", (code, path, ctx) -> {
                rc[0] = code;
                synced.countDown();
            }, null);
            if (!synced.await(5, TimeUnit.SECONDS) || rc[0] != 0) {
                throw new IllegalStateException("sync through member " + id + " failed (rc " + rc[0] + ")");
            }
            try {
                return Optional.of(new String(zk.getData("/" + key, false, null), StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException e) {
                return Optional.empty();
            }
        }
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static ZooKeeper zk(String connect) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        });
        if (!up.await(5, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no ZooKeeper session with " + connect);
        }
        return zk;
    }
}
