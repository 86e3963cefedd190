package dev.ballot.node.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.zookeeper.Err;
import dev.ballot.zookeeper.Jute;
import dev.ballot.zookeeper.OpCode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SyncRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One session's asynchronous writes pipelined on three ballot-node processes of a ZAB cluster (timed against the
 * same writes done one at a time), and SESSIONMOVED for the connection a session left, with the ZooKeeper 3.9.4 Java
 * client and the raw protocol.
 */
class ZooKeeperPipeliningProcessTest {
    static final int SESSION_MS = 15_000;
    @TempDir
    static Path dir;
    static ZabProcessCluster cluster;
    static final List<ZooKeeper> open = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ZabProcessCluster.serving(dir, 3);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (ZooKeeper zk : open) {
            zk.close();
        }
        cluster.close();
    }

    static ZooKeeper zk(String connect, long session, byte[] passwd) throws Exception {
        CountDownLatch up = new CountDownLatch(1);
        Watcher w = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                up.countDown();
            }
        };
        ZooKeeper zk = passwd == null ? new ZooKeeper(connect, SESSION_MS, w)
                : new ZooKeeper(connect, SESSION_MS, w, session, passwd);
        open.add(zk);
        assertThat(up.await(20, TimeUnit.SECONDS)).as("connected to " + connect).isTrue();
        return zk;
    }

    static long follower() {
        long leader = cluster.leader();
        return cluster.clientPorts.keySet().stream().filter(id -> id != leader).findFirst().orElseThrow();
    }

    @Test
    void asyncCreatesOfOneSessionArePipelinedAndAnsweredInOrder() throws Exception {
        ZooKeeper zk = zk(cluster.connectString(follower()), 0, null);
        int n = 200;
        for (String p : List.of("/sync", "/async", "/mixed")) {
            zk.create(p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            zk.create("/sync/n" + i, new byte[16], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        long syncNanos = System.nanoTime() - t0;

        List<String> answered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(n);
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            zk.create("/async/n-", new byte[16], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                    (rc, path, ctx, name) -> {
                        answered.add(rc + " " + name);
                        done.countDown();
                    }, null);
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).as("every async create answered").isTrue();
        long asyncNanos = System.nanoTime() - t1;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("ZooKeeper pipelining: %d creates on one session via a follower: synchronous %d ms,"
                        + " asynchronous %d ms, ratio %.1fx (load average %.2f)%n", n, syncNanos / 1_000_000,
                asyncNanos / 1_000_000, (double) syncNanos / asyncNanos, load);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.format("0 /async/n-%010d", i));
        }
        assertThat(answered).as("answered in the order sent, each its own sequence number").isEqualTo(expected);
        assertThat(zk.getChildren("/async", false)).hasSize(n);
        assertThat(asyncNanos).as("pipelined writes are not answered one commit each").isLessThan(syncNanos);

        // A read sent right behind a write of the same session, before its answer, sees it.
        List<String> reads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch mixed = new CountDownLatch(2 * 50);
        for (int i = 0; i < 50; i++) {
            String path = "/mixed/m" + i;
            zk.create(path, ("v" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                    (rc, p, ctx, name) -> mixed.countDown(), null);
            zk.getData(path, false, (rc, p, ctx, data, stat) -> {
                reads.add(rc + " " + p + " " + (data == null ? null : new String(data)));
                mixed.countDown();
            }, null);
        }
        assertThat(mixed.await(60, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            assertThat(reads.get(i)).isEqualTo("0 /mixed/m" + i + " v" + i);
        }
    }

    @Test
    void theConnectionASessionLeftAnswersSessionMovedAndCloses() throws Exception {
        long a = follower();
        long b = cluster.clientPorts.keySet().stream().filter(id -> id != a).findFirst().orElseThrow();
        try (Socket raw = new Socket("127.0.0.1", cluster.clientPorts.get(a))) {
            raw.setSoTimeout(20_000);
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            DataInputStream in = new DataInputStream(raw.getInputStream());
            frame(out, Jute.bytes(new ConnectRequest(0, 0, SESSION_MS, 0, new byte[16], false)));
            ConnectResponse opened = Jute.read(next(in), new ConnectResponse());
            assertThat(opened.getSessionId()).isNotZero();
            request(out, 1, OpCode.CREATE, new CreateRequest("/moved", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
            assertThat(Jute.read(next(in), new ReplyHeader()).getErr()).isEqualTo(Err.OK);

            ZooKeeper onB = zk(cluster.connectString(b), opened.getSessionId(), opened.getPasswd());
            assertThat(onB.getSessionId()).isEqualTo(opened.getSessionId());

            request(out, 2, OpCode.SYNC, new SyncRequest("/")); // answered once member a applied the move
            ReplyHeader synced = Jute.read(next(in), new ReplyHeader());
            if (synced.getErr() == Err.OK) {
                request(out, 3, OpCode.CREATE, new CreateRequest("/moved/stale", new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
                ReplyHeader stale = Jute.read(next(in), new ReplyHeader());
                assertThat(stale.getXid()).isEqualTo(3);
                assertThat(stale.getErr()).isEqualTo(Err.SESSION_MOVED);
            } else {
                assertThat(synced.getErr()).isEqualTo(Err.SESSION_MOVED);
            }
            assertThat(in.read()).as("member " + a + " closed the stale connection").isEqualTo(-1);
            System.out.println("ZooKeeper SESSIONMOVED: session 0x" + Long.toHexString(opened.getSessionId())
                    + " moved from member " + a + " to " + b + "; the old connection got -118 and was closed");
            assertThat(onB.exists("/moved/stale", false)).isNull();
            onB.create("/moved/fresh", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(onB.getChildren("/moved", false)).containsExactly("fresh");
        }
    }

    private static void request(DataOutputStream out, int xid, int type, Record body) throws IOException {
        frame(out, Jute.bytes(new RequestHeader(xid, type), body));
    }

    private static void frame(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
        out.flush();
    }

    private static byte[] next(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
