package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SyncRequest;
import org.junit.jupiter.api.Test;

/**
 * One connection's requests in flight at once (read ahead, answered in order, bounded) and SESSIONMOVED for the
 * connection a session left, with the ZooKeeper 3.9.4 Java client and the raw protocol over an in-process log.
 */
class PipeliningTest extends InProcessClientsTest {
    @Test
    void asyncWritesAndReadsOfOneSessionAreAnsweredInOrderAndReadsSeeEarlierWrites() throws Exception {
        ZooKeeper zk = connect(cluster.connectString(2), null); // a follower: writes go over the leader link
        zk.create("/pipe", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        int n = 200;
        List<String> answered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(2 * n);
        for (int i = 0; i < n; i++) {
            String path = "/pipe/k" + i;
            zk.create(path, ("v" + i).getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL,
                    (rc, p, ctx, name) -> {
                        answered.add("create " + rc + " " + name);
                        done.countDown();
                    }, null);
            // sent before the create is answered: still sees it (the session's own earlier write)
            zk.getChildren("/pipe", false, (rc, p, ctx, children) -> {
                answered.add("children " + rc + " " + children.size());
                done.countDown();
            }, null);
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(String.format("create 0 /pipe/k%d%010d", i, i));
            expected.add("children 0 " + (i + 1));
        }
        assertThat(answered).as("in order; each read sees the session's writes before it and none after")
                .hasSize(2 * n).isEqualTo(expected);
    }

    @Test
    void atTheBoundTheServerStopsReadingAndAnswersEverythingOnceWritesCommit() throws Exception {
        InProcessLog log = new InProcessLog();
        DataTree tree = log.replica();
        HeldProposals held = new HeldProposals(log.member(1, tree));
        int bound = 50;
        int sent = bound + 30;
        try (ZkServer server = new ZkServer(tree, held, new ZkServer.Options(new InetSocketAddress("127.0.0.1", 0),
                Map.of(), "test", 0, 200, 30_000)).maxOutstanding(bound).start();
             Raw raw = new Raw(server.port())) {
            raw.connect(0, new byte[16]); // the session's own txn commits before proposals are held
            held.hold();
            raw.send(new CreateRequest("/bounded", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), 1, OpCode.CREATE);
            for (int xid = 2; xid <= sent; xid++) {
                raw.send(new CreateRequest("/bounded/c" + xid, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), xid,
                        OpCode.CREATE);
            }
            // Every request is in the socket; the member reads exactly the bound while no write commits.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().received() == bound);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> server.stats().received() == bound && held.count() == bound);
            held.release();
            for (int xid = 1; xid <= sent; xid++) {
                ReplyHeader h = raw.reply();
                assertThat(h.getXid()).isEqualTo(xid);
                assertThat(h.getErr()).as("create xid " + xid).isEqualTo(Err.OK);
            }
            assertThat(server.stats().received()).isEqualTo(sent);
            assertThat(tree.children("/bounded", null)).hasSize(sent - 1);
        }
    }

    @Test
    void aWriteIsNotHandedToANewLeaderAheadOfEarlierWritesStillWithTheFormerOne() throws Exception {
        InProcessLog log = new InProcessLog();
        DataTree tree = log.replica();
        DataTree other = log.replica();
        HeldProposals held = new HeldProposals(log.member(1, tree));
        try (ZkServer next = new ZkServer(other, log.member(2, other), new ZkServer.Options(
                new InetSocketAddress("127.0.0.1", 0), Map.of(), "test", 0, 200, 30_000)).start();
             ZkServer server = new ZkServer(tree, held, new ZkServer.Options(new InetSocketAddress("127.0.0.1", 0),
                     Map.of(2L, new InetSocketAddress("127.0.0.1", next.port())), "test", 0, 200, 30_000)).start();
             Raw raw = new Raw(server.port())) {
            raw.connect(0, new byte[16]);
            held.hold();
            raw.send(new CreateRequest("/first", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), 1, OpCode.CREATE);
            await().atMost(Duration.ofSeconds(10)).until(() -> held.count() == 1);
            log.elect(2); // member 1 learns of a new leader while /first is still with it
            raw.send(new CreateRequest("/second", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), 2, OpCode.CREATE);
            assertThat(raw.closedByServer()).as("ConnectionLoss for both: the client retries them in order").isTrue();
            held.release(); // the former leader refuses /first now
            assertThat(tree.stat("/second")).as("never proposed ahead of /first").isNull();
            assertThat(tree.stat("/first")).isNull();
        }
    }

    @Test
    void theConnectionASessionLeftAnswersSessionMovedAndCloses() throws Exception {
        try (Raw onA = new Raw(cluster.addresses.get(3L).getPort())) {
            ConnectResponse opened = onA.connect(0, new byte[16]);
            onA.send(new CreateRequest("/moving", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), 1, OpCode.CREATE);
            assertThat(onA.reply().getErr()).isEqualTo(Err.OK);

            // The same session id and password from a second handle, on member 2: the session moves there.
            ZooKeeper onB = connect(cluster.connectString(2), null, opened.getSessionId(), opened.getPasswd());
            assertThat(onB.getSessionId()).isEqualTo(opened.getSessionId());

            onA.send(new SyncRequest("/"), 2, OpCode.SYNC); // member 3 has applied the move once this is answered
            ReplyHeader synced = onA.reply();
            if (synced.getErr() == Err.OK) {
                onA.send(new CreateRequest("/moving/stale", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0), 3,
                        OpCode.CREATE);
                ReplyHeader stale = onA.reply();
                assertThat(stale.getXid()).isEqualTo(3);
                assertThat(stale.getErr()).isEqualTo(Err.SESSION_MOVED).isEqualTo(-118);
            } else {
                assertThat(synced.getErr()).isEqualTo(Err.SESSION_MOVED);
            }
            assertThat(onA.closedByServer()).as("the stale connection is closed").isTrue();
            assertThat(onB.exists("/moving/stale", false)).as("the stale write was not applied").isNull();
            onB.create("/moving/fresh", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(onB.getChildren("/moving", false)).containsExactly("fresh");
        }
    }

    /** Proposals held until {@link #release}, then handed to the log in the order they came. */
    static final class HeldProposals implements Consensus {
        private final Consensus log;
        private final List<Runnable> held = new ArrayList<>();
        private boolean released = true;

        HeldProposals(Consensus log) {
            this.log = log;
        }

        synchronized int count() {
            return held.size();
        }

        synchronized void hold() {
            released = false;
        }

        synchronized void release() {
            released = true;
            held.forEach(Runnable::run);
            held.clear();
        }

        @Override
        public synchronized CompletableFuture<Void> propose(byte[] txn) {
            if (released) {
                return log.propose(txn);
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(() -> log.propose(txn).whenComplete((v, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(v);
                }
            }));
            return f;
        }

        @Override
        public long selfId() {
            return log.selfId();
        }

        @Override
        public long leaderId() {
            return log.leaderId();
        }

        @Override
        public String role() {
            return log.role();
        }

        @Override
        public CompletableFuture<Long> readBarrier() {
            return log.readBarrier();
        }
    }

    /** The client protocol by hand: a handshake, then framed requests and replies. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final DataOutputStream out;
        final DataInputStream in;

        Raw(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = new DataOutputStream(socket.getOutputStream());
            in = new DataInputStream(socket.getInputStream());
        }

        ConnectResponse connect(long session, byte[] passwd) throws IOException {
            frame(Jute.bytes(new ConnectRequest(0, 0, 10_000, session, passwd, false)));
            return Jute.read(next(), new ConnectResponse());
        }

        void send(Record request, int xid, int type) throws IOException {
            frame(Jute.bytes(new RequestHeader(xid, type), request));
        }

        ReplyHeader reply() throws IOException {
            return Jute.read(next(), new ReplyHeader());
        }

        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (EOFException e) {
                return true;
            }
        }

        private void frame(byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
            out.flush();
        }

        private byte[] next() throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return b;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
