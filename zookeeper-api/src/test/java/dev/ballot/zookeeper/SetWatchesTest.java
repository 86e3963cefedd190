package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that lost its connection sends SetWatches with the last zxid it saw when it reconnects: a watched node
 * deleted or changed meanwhile fires at once, one left alone is watched again. The client reaches its server through
 * a proxy the test cuts, so the writes happen while it is certainly away.
 */
class SetWatchesTest {
    InProcessCluster cluster;
    Proxy proxy;
    final List<ZooKeeper> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new InProcessCluster(3, 200, 30_000);
        proxy = new Proxy(cluster.addresses.get(1L).getPort());
    }

    @AfterEach
    void stop() throws Exception {
        for (ZooKeeper zk : clients) {
            zk.close();
        }
        proxy.close();
        cluster.close();
    }

    @Test
    void watchesSetBeforeADisconnectFireForWhatChangedMeanwhileAndStayForTheRest() throws Exception {
        ZooKeeper writer = connect(cluster.connectString(3), e -> { });
        for (String path : List.of("/changed", "/deleted", "/parent", "/parent/old", "/unchanged", "/lone")) {
            writer.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        List<String> fired = Collections.synchronizedList(new ArrayList<>());
        List<Watcher.Event.KeeperState> states = Collections.synchronizedList(new ArrayList<>());
        ZooKeeper watcher = connect("127.0.0.1:" + proxy.port(), e -> states.add(e.getState()));
        watcher.sync("/");
        // Every watcher also hears the connection's state (type None); record znode events only.
        Watcher record = e -> {
            if (e.getType() != Watcher.Event.EventType.None) {
                fired.add(e.getType() + " " + e.getPath());
            }
        };
        watcher.getData("/changed", record, null);
        watcher.getData("/deleted", record, null);
        watcher.getChildren("/parent", record);
        watcher.getData("/unchanged", record, null);
        watcher.getChildren("/lone", record);

        proxy.cut();
        await().atMost(Duration.ofSeconds(10)).until(() -> states.contains(Watcher.Event.KeeperState.Disconnected));
        writer.setData("/changed", "x".getBytes(), -1);
        writer.delete("/deleted", -1);
        writer.create("/parent/new", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.setData("/lone", "data, not children".getBytes(), -1);
        assertThat(fired).as("nothing reaches a disconnected client").isEmpty();

        proxy.restore();
        await().atMost(Duration.ofSeconds(20)).until(() -> fired.size() >= 3);
        assertThat(fired).containsExactlyInAnyOrder("NodeDataChanged /changed", "NodeDeleted /deleted",
                "NodeChildrenChanged /parent");

        // The watches on what did not change (for the watch's kind) were set again on the server.
        writer.setData("/unchanged", "now".getBytes(), -1);
        writer.create("/lone/child", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        await().atMost(Duration.ofSeconds(10)).until(() -> fired.size() >= 5);
        assertThat(fired).containsExactlyInAnyOrder("NodeDataChanged /changed", "NodeDeleted /deleted",
                "NodeChildrenChanged /parent", "NodeDataChanged /unchanged", "NodeChildrenChanged /lone");
    }

    private ZooKeeper connect(String connectString, Watcher watcher) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connectString, 10_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
            watcher.process(e);
        });
        clients.add(zk);
        assertThat(connected.await(10, TimeUnit.SECONDS)).as("connected to " + connectString).isTrue();
        return zk;
    }

    /** Forwards loopback connections to one server; {@link #cut} closes them and refuses new ones until restored. */
    static final class Proxy implements AutoCloseable {
        private final ServerSocket listener;
        private final int target;
        private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean cut;

        Proxy(int target) throws IOException {
            this.target = target;
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::accept, "zk-proxy");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void cut() {
            cut = true;
            closeAll();
        }

        void restore() {
            cut = false;
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    if (cut) {
                        client.close();
                        continue;
                    }
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(client);
                    open.add(server);
                    pump(client, server);
                    pump(server, client);
                } catch (IOException e) {
                    // listener closed, or the server refused: the client retries
                }
            }
        }

        private void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                        out.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // one side closed
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            }, "zk-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        private void closeAll() {
            synchronized (open) {
                open.forEach(Proxy::closeQuietly);
                open.clear();
            }
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            closeAll();
        }
    }
}
