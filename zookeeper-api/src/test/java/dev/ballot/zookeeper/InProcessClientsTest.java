package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Tests of the ZooKeeper 3.9.4 Java client against three servers over one in-process log; clients closed after each. */
abstract class InProcessClientsTest {
    static InProcessCluster cluster;
    final List<ZooKeeper> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new InProcessCluster(3, 200, 30_000);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @AfterEach
    void closeClients() throws InterruptedException {
        for (ZooKeeper zk : clients) {
            zk.close();
        }
    }

    ZooKeeper connect(String connectString, Watcher watcher) throws Exception {
        return connect(connectString, watcher, 0, null);
    }

    /** With {@code passwd}: re-connects the existing session {@code session} (a second handle on it). */
    ZooKeeper connect(String connectString, Watcher watcher, long session, byte[] passwd) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher w = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
            if (watcher != null) {
                watcher.process(e);
            }
        };
        ZooKeeper zk = passwd == null ? new ZooKeeper(connectString, 10_000, w)
                : new ZooKeeper(connectString, 10_000, w, session, passwd);
        clients.add(zk);
        assertThat(connected.await(10, TimeUnit.SECONDS)).as("connected to " + connectString).isTrue();
        return zk;
    }
}
