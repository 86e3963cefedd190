package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** The ZooKeeper 3.9.4 Java client against three Ballot ZooKeeper servers over one in-process log. */
class ZooKeeperClientTest extends InProcessClientsTest {
    @Test
    void createReadUpdateDeleteWithStat() throws Exception {
        ZooKeeper zk = connect(cluster.connectString(2), null); // a follower: writes are forwarded to the leader
        Stat created = new Stat();
        assertThat(zk.create("/crud", "v1".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, created))
                .isEqualTo("/crud");
        assertThat(created.getVersion()).isZero();
        assertThat(created.getCzxid()).isEqualTo(created.getMzxid()).isEqualTo(created.getPzxid()).isPositive();
        assertThat(created.getEphemeralOwner()).isZero();
        Stat s = new Stat();
        assertThat(zk.getData("/crud", false, s)).isEqualTo("v1".getBytes());
        assertThat(s.getDataLength()).isEqualTo(2);
        Stat updated = zk.setData("/crud", "v22".getBytes(), 0);
        assertThat(updated.getVersion()).isEqualTo(1);
        assertThat(updated.getMzxid()).isGreaterThan(updated.getCzxid());
        assertThat(updated.getCtime()).isEqualTo(created.getCtime());
        assertThatThrownBy(() -> zk.setData("/crud", "x".getBytes(), 0)).isInstanceOf(KeeperException.BadVersionException.class);
        zk.create("/crud/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/crud/b", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat parent = new Stat();
        assertThat(zk.getChildren("/crud", false, parent)).containsExactly("a", "b");
        assertThat(parent.getNumChildren()).isEqualTo(2);
        assertThat(parent.getCversion()).isEqualTo(2);
        assertThat(zk.getChildren("/crud", false)).containsExactly("a", "b");
        assertThatThrownBy(() -> zk.delete("/crud", -1)).isInstanceOf(KeeperException.NotEmptyException.class);
        assertThatThrownBy(() -> zk.create("/crud/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NodeExistsException.class);
        assertThatThrownBy(() -> zk.create("/none/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NoNodeException.class);
        zk.delete("/crud/a", 0);
        zk.delete("/crud/b", -1);
        assertThatThrownBy(() -> zk.delete("/crud", 0)).isInstanceOf(KeeperException.BadVersionException.class);
        zk.delete("/crud", 1);
        assertThat(zk.exists("/crud", false)).isNull();
        assertThatThrownBy(() -> zk.getData("/crud", false, null)).isInstanceOf(KeeperException.NoNodeException.class);
    }

    @Test
    void answersLargerThanTheWritersBufferArriveWholeAndInOrderAmongSmallOnes() throws Exception {
        ZooKeeper zk = connect(cluster.connectString(1), null);
        byte[] big = new byte[ClientConnection.OUTPUT_BUFFER * 3 + 7];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        zk.create("/big", big, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create("/small", "s".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        // pipelined: small and large answers queue behind each other on the one writer
        List<byte[]> answers = Collections.synchronizedList(new ArrayList<>());
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(40);
        for (int i = 0; i < 40; i++) {
            String path = i % 3 == 0 ? "/small" : "/big";
            zk.getData(path, false, (rc, p, ctx, data, stat) -> {
                order.add(p);
                answers.add(data);
                done.countDown();
            }, null);
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            expected.add(i % 3 == 0 ? "/small" : "/big");
        }
        assertThat(order).containsExactlyElementsOf(expected);
        for (int i = 0; i < 40; i++) {
            assertThat(answers.get(i)).isEqualTo(i % 3 == 0 ? "s".getBytes() : big);
        }
    }

    @Test
    void sequentialAndEphemeralNodesGoWithTheirSession() throws Exception {
        ZooKeeper owner = connect(cluster.connectString(3), null);
        ZooKeeper observer = connect(cluster.connectString(1), null);
        observer.create("/seq", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String a = owner.create("/seq/n-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        String b = owner.create("/seq/n-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
        String c = observer.create("/seq/n-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        assertThat(List.of(a, b, c)).containsExactly("/seq/n-0000000000", "/seq/n-0000000001", "/seq/n-0000000002");
        assertThat(observer.exists(a, false).getEphemeralOwner()).isEqualTo(owner.getSessionId());
        assertThatThrownBy(() -> owner.create(a + "/child", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.NoChildrenForEphemeralsException.class);
        assertThat(owner.getEphemerals("/seq")).containsExactlyInAnyOrder(a, b);
        CountDownLatch deleted = new CountDownLatch(1);
        observer.exists(a, e -> {
            if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                deleted.countDown();
            }
        });
        owner.close();
        assertThat(deleted.await(5, TimeUnit.SECONDS)).isTrue();
        observer.sync("/seq");
        assertThat(observer.getChildren("/seq", false)).containsExactly("n-0000000002");
    }

    @Test
    void multiIsAllOrNothing() throws Exception {
        ZooKeeper zk = connect(cluster.connectString(2), null);
        List<OpResult> ok = zk.multi(List.of(
                Op.create("/multi", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/multi/x-", "1".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.setData("/multi", "d".getBytes(), 0),
                Op.check("/multi", 1)));
        assertThat(((OpResult.CreateResult) ok.get(1)).getPath()).isEqualTo("/multi/x-0000000000");
        assertThat(((OpResult.SetDataResult) ok.get(2)).getStat().getVersion()).isEqualTo(1);
        try {
            zk.multi(List.of(
                    Op.create("/multi/y", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                    Op.delete("/multi/x-0000000000", 0),
                    Op.check("/multi", 7),
                    Op.setData("/multi", "e".getBytes(), -1)));
            throw new AssertionError("multi with a failing check succeeded");
        } catch (KeeperException.BadVersionException e) {
            assertThat(e.getResults()).extracting(r -> ((OpResult.ErrorResult) r).getErr())
                    .containsExactly(0, 0, KeeperException.Code.BADVERSION.intValue(),
                            KeeperException.Code.RUNTIMEINCONSISTENCY.intValue());
        }
        assertThat(zk.exists("/multi/y", false)).isNull();
        assertThat(zk.exists("/multi/x-0000000000", false)).isNotNull();
        assertThat(zk.getData("/multi", false, null)).isEqualTo("d".getBytes());
        assertThat(zk.exists("/multi", false).getCversion()).isEqualTo(1);
    }

    @Test
    void oneShotWatchesFireOncePersistentOnesEveryTime() throws Exception {
        List<String> oneShot = Collections.synchronizedList(new ArrayList<>());
        List<String> persistent = Collections.synchronizedList(new ArrayList<>());
        ZooKeeper writer = connect(cluster.connectString(1), null);
        ZooKeeper watcher = connect(cluster.connectString(3), null);
        writer.create("/w", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        watcher.getData("/w", e -> oneShot.add("data " + e.getType() + " " + e.getPath()), null);
        watcher.getChildren("/w", e -> oneShot.add("child " + e.getType() + " " + e.getPath()));
        watcher.exists("/w/new", e -> oneShot.add("exists " + e.getType() + " " + e.getPath()));
        watcher.addWatch("/w", e -> persistent.add(e.getType() + " " + e.getPath()), AddWatchMode.PERSISTENT_RECURSIVE);
        writer.setData("/w", "1".getBytes(), -1);
        writer.setData("/w", "2".getBytes(), -1);
        writer.create("/w/new", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        writer.setData("/w/new", "x".getBytes(), -1);
        writer.delete("/w/new", -1);
        watcher.sync("/w");
        await().atMost(Duration.ofSeconds(5)).until(() -> persistent.size() >= 5);
        assertThat(oneShot).containsExactlyInAnyOrder("data NodeDataChanged /w", "child NodeChildrenChanged /w",
                "exists NodeCreated /w/new");
        assertThat(persistent).containsExactly("NodeDataChanged /w", "NodeDataChanged /w", "NodeCreated /w/new",
                "NodeDataChanged /w/new", "NodeDeleted /w/new");
    }

    @Test
    void onlyWorldAnyoneAclsAreServed() throws Exception {
        ZooKeeper zk = connect(cluster.connectString(1), null);
        List<ACL> digest = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", "bob:hash"))));
        assertThatThrownBy(() -> zk.create("/acl", new byte[0], digest, CreateMode.PERSISTENT))
                .isInstanceOf(KeeperException.InvalidACLException.class);
        zk.create("/acl", new byte[0], ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertThat(zk.getACL("/acl", new Stat())).isEqualTo(ZooDefs.Ids.READ_ACL_UNSAFE);
        assertThatThrownBy(() -> zk.setData("/acl", "x".getBytes(), -1)).isInstanceOf(KeeperException.NoAuthException.class);
    }

    @Test
    void syncGivesReadYourWritesAcrossMembers() throws Exception {
        ZooKeeper writer = connect(cluster.connectString(2), null);
        ZooKeeper reader = connect(cluster.connectString(3), null);
        for (int i = 0; i < 20; i++) {
            writer.create("/ryw-" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            reader.sync("/");
            assertThat(reader.exists("/ryw-" + i, false)).isNotNull();
        }
    }

    @Test
    void fourLetterWords() throws Exception {
        assertThat(fourLetters(cluster.addresses.get(1L).getPort(), "ruok")).isEqualTo("imok");
        assertThat(fourLetters(cluster.addresses.get(1L).getPort(), "srvr")).contains("Mode: leader").contains("Node count: ");
        assertThat(fourLetters(cluster.addresses.get(2L).getPort(), "srvr")).contains("Mode: follower");
        assertThat(fourLetters(cluster.addresses.get(3L).getPort(), "mntr")).contains("zk_server_state\tfollower")
                .contains("zk_znode_count\t");
    }

    @Test
    void aSilentClientsSessionExpiresByTheLeadersDecisionAndItsEphemeralsGo() throws Exception {
        ZooKeeper observer = connect(cluster.connectString(1), null);
        long session;
        try (Socket raw = new Socket("127.0.0.1", cluster.addresses.get(3L).getPort())) {
            java.io.DataOutputStream out = new java.io.DataOutputStream(raw.getOutputStream());
            java.io.DataInputStream in = new java.io.DataInputStream(raw.getInputStream());
            byte[] connect = Jute.bytes(new org.apache.zookeeper.proto.ConnectRequest(0, 0, 1000, 0, new byte[16], false));
            out.writeInt(connect.length);
            out.write(connect);
            byte[] reply = new byte[in.readInt()];
            in.readFully(reply);
            org.apache.zookeeper.proto.ConnectResponse r = Jute.read(reply, new org.apache.zookeeper.proto.ConnectResponse());
            assertThat(r.getTimeOut()).isEqualTo(1000);
            session = r.getSessionId();
            byte[] create = Jute.bytes(new org.apache.zookeeper.proto.RequestHeader(1, OpCode.CREATE),
                    new org.apache.zookeeper.proto.CreateRequest("/silent", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 1));
            out.writeInt(create.length);
            out.write(create);
            byte[] created = new byte[in.readInt()];
            in.readFully(created);
            assertThat(Jute.read(created, new org.apache.zookeeper.proto.ReplyHeader()).getErr()).isZero();
            CountDownLatch gone = new CountDownLatch(1);
            assertThat(observer.exists("/silent", e -> {
                if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                    gone.countDown();
                }
            }).getEphemeralOwner()).isEqualTo(session);
            long silentSince = System.nanoTime();
            // No pings: the member closes the connection after the timeout, the leader expires the session.
            assertThat(gone.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat((System.nanoTime() - silentSince) / 1_000_000).isGreaterThanOrEqualTo(900);
        }
        // the in-process log applies to the replicas one after another: member 2 may apply just after member 1 fired
        long expired = session;
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.trees.get(2L).session(expired) == null);
    }

    @Test
    void maxClientCnxnsLimitsConnectionsPerClientAddress() throws Exception {
        InProcessLog log = new InProcessLog();
        DataTree tree = log.replica();
        java.net.InetSocketAddress at = new java.net.InetSocketAddress("127.0.0.1", 0);
        try (ZkServer limited = new ZkServer(tree, log.member(1, tree), new ZkServer.Options(at, java.util.Map.of(),
                "test", 2, 200, 30_000)).start()) {
            String connect = "127.0.0.1:" + limited.port();
            ZooKeeper a = connect(connect, null);
            connect(connect, null);
            try (Socket third = new Socket("127.0.0.1", limited.port())) {
                third.setSoTimeout(5000);
                assertThat(third.getInputStream().read()).as("the third connection is closed at once").isEqualTo(-1);
            }
            a.close();
            clients.remove(a);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (Socket again = new Socket("127.0.0.1", limited.port())) {
                    again.setSoTimeout(1000);
                    again.getOutputStream().write("ruok".getBytes(StandardCharsets.US_ASCII));
                    return new String(again.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).equals("imok");
                }
            });
        }
    }

    static String fourLetters(int port, String word) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @SuppressWarnings("unused")
    private static void ignore(WatchedEvent e) {
    }
}
