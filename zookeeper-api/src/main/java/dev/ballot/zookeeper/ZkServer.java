package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The ZooKeeper client protocol on one member of a ZAB cluster: accepts client connections (and followers' leader
 * links, and four-letter words) on the client port; reads are served from this member's {@link DataTree}, writes go
 * through the log, sessions expire by the leader's decision.
 */
public final class ZkServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ZkServer.class.getName());

    /**
     * @param listen    where clients connect
     * @param members   every member's client address by member id (a follower forwards writes to the leader's)
     * @param maxClientCnxns connections one client IP may hold (0: no limit)
     */
    public record Options(InetSocketAddress listen, Map<Long, InetSocketAddress> members, String clusterId,
                          int maxClientCnxns, int minSessionTimeoutMs, int maxSessionTimeoutMs) {
    }

    private final DataTree tree;
    private final Consensus consensus;
    private final Options options;
    private final Watches watches = new Watches();
    private final LeaderLink link;
    private final Writes writes;
    private final SessionExpiry expiry;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "zk-timer"));
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> daemon(r, "zk-worker"));
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private ServerSocket serverSocket;
    private volatile boolean running;

    public ZkServer(DataTree tree, Consensus consensus, Options options) {
        this.tree = tree;
        this.consensus = consensus;
        this.options = options;
        this.link = new LeaderLink(options.clusterId(), id -> options.members().get(id));
        this.writes = new Writes(consensus, link, tree);
        this.expiry = new SessionExpiry(tree, workers, this::expire);
        tree.setListener(this::applied);
    }

    public ZkServer start() throws IOException {
        serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(options.listen(), 128);
        running = true;
        Thread acceptor = daemon(this::acceptLoop, "zk-accept-" + serverSocket.getLocalPort());
        acceptor.start();
        long every = Math.max(50, options.minSessionTimeoutMs() / 3);
        timer.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        LOG.info(() -> "serving ZooKeeper clients on " + serverSocket.getLocalSocketAddress());
        return this;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() {
        running = false;
        try {
            if (serverSocket != null) {
                serverSocket.close();
            }
        } catch (IOException ignored) {
            // closing
        }
        connections.forEach(ClientConnection::abort);
        link.close();
        timer.shutdownNow();
        workers.shutdownNow();
    }

    // ---------------------------------------------------------------- for connections

    DataTree tree() {
        return tree;
    }

    Watches watches() {
        return watches;
    }

    Writes writes() {
        return writes;
    }

    int negotiate(int requested) {
        return Math.max(options.minSessionTimeoutMs(), Math.min(options.maxSessionTimeoutMs(), requested));
    }

    /** A write waits for the log at most this long before the connection is dropped (the client then reconnects). */
    long writeTimeoutMillis(int sessionTimeoutMs) {
        return Math.max(1000, sessionTimeoutMs / 2);
    }

    long newSessionId() {
        return ((consensus.selfId() & 0xff) << 56) | (random.nextLong() & 0x00ff_ffff_ffff_ffffL);
    }

    byte[] newPassword() {
        byte[] p = new byte[16];
        random.nextBytes(p);
        return p;
    }

    long newRequestId() {
        return random.nextLong();
    }

    void register(ClientConnection c) {
        connections.add(c);
        expiry.touch(c.sessionId());
    }

    void unregister(ClientConnection c) {
        connections.remove(c);
        watches.removeAll(c);
    }

    void received() {
        received.incrementAndGet();
    }

    void sent() {
        sent.incrementAndGet();
    }

    // ---------------------------------------------------------------- applied txns, sessions

    private void applied(TxnResult r) {
        for (TxnResult.WatchEvent e : r.events()) {
            watches.trigger(e, r.zxid());
        }
        writes.applied(r);
        if (r.type() == OpCode.CLOSE_SESSION) {
            for (ClientConnection c : connections) {
                if (c.sessionId() == r.sessionId()) {
                    c.abort(); // expired: the client learns it when it reconnects
                    unregister(c);
                }
            }
        }
    }

    private void heartbeat() {
        try {
            long leader = consensus.leaderId();
            boolean leading = leader != 0 && leader == consensus.selfId();
            long[] alive = connections.stream().filter(ClientConnection::alive)
                    .mapToLong(ClientConnection::sessionId).distinct().toArray();
            if (leading) {
                for (long id : alive) {
                    expiry.touch(id);
                }
            } else if (leader != 0 && alive.length > 0) {
                link.touch(leader, alive);
            }
            expiry.tick(leading);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "session heartbeat failed", e);
        }
    }

    private void expire(long sessionId) {
        try {
            writes.submit(new Txn(newRequestId(), OpCode.CLOSE_SESSION, sessionId, System.currentTimeMillis(),
                    new byte[0]), 5_000);
        } catch (Refused e) {
            LOG.fine(() -> "closing expired session 0x" + Long.toHexString(sessionId) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- accepting

    private void acceptLoop() {
        while (running) {
            try {
                Socket s = serverSocket.accept();
                if (tooMany(s.getInetAddress())) {
                    LOG.warning(() -> "too many connections from " + s.getInetAddress() + " (maxClientCnxns "
                            + options.maxClientCnxns() + "); closing");
                    s.close();
                    continue;
                }
                workers.execute(() -> serve(s));
            } catch (IOException e) {
                if (running) {
                    LOG.log(Level.WARNING, "accepting a ZooKeeper client failed", e);
                }
            }
        }
    }

    private boolean tooMany(InetAddress from) {
        int max = options.maxClientCnxns();
        return max > 0 && connections.stream().filter(c -> c.remote().startsWith("/" + from.getHostAddress() + ":"))
                .count() >= max;
    }

    private void serve(Socket s) {
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(options.maxSessionTimeoutMs() * 2);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            int first = in.readInt();
            if (FourLetterWords.isWord(first)) {
                OutputStream out = s.getOutputStream();
                out.write(FourLetterWords.answer(first, stats()).getBytes(StandardCharsets.UTF_8));
                out.flush();
                s.close();
                return;
            }
            if (first < 4 || first > 1 << 20) {
                throw new IOException("a first frame of " + first + " bytes is not a ZooKeeper handshake");
            }
            byte[] frame = new byte[first];
            in.readFully(frame);
            if (ByteBuffer.wrap(frame).getInt() == LeaderLink.MAGIC) {
                serveLink(s, in, frame);
            } else {
                new ClientConnection(this, s).serve(in, frame);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "ZooKeeper connection ended", e);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    FourLetterWords.Stats stats() {
        long leader = consensus.leaderId();
        return new FourLetterWords.Stats(consensus.role(), leader != 0, tree.lastZxid(), tree.nodeCount(),
                watches.count(), tree.ephemeralCount(), tree.approximateDataSize(), connections.size(), received.get(),
                sent.get(), tree.sessionTimeouts().size());
    }

    /** A follower's link to this member as leader: proposals, barriers and session touches. */
    private void serveLink(Socket s, DataInputStream in, byte[] hello) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(hello);
        b.getInt();
        byte[] cluster = new byte[b.getInt()];
        b.get(cluster);
        if (!new String(cluster, StandardCharsets.UTF_8).equals(options.clusterId())) {
            LOG.warning(() -> "closing a leader link from " + s.getRemoteSocketAddress() + ": another cluster");
            s.close();
            return;
        }
        s.setSoTimeout(0);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
        try (s) {
            while (running) {
                int len = in.readInt();
                if (len < 12 || len > 8 << 20) {
                    throw new IOException("link frame of " + len + " bytes");
                }
                int kind = in.readInt();
                long no = in.readLong();
                byte[] body = new byte[len - 12];
                in.readFully(body);
                boolean leading = consensus.leaderId() == consensus.selfId();
                switch (kind) {
                    case LeaderLink.TOUCH -> {
                        ByteBuffer t = ByteBuffer.wrap(body);
                        int n = t.getInt();
                        for (int i = 0; i < n; i++) {
                            expiry.touch(t.getLong());
                        }
                    }
                    case LeaderLink.PROPOSE, LeaderLink.BARRIER -> {
                        CompletableFuture<Long> f = !leading
                                ? CompletableFuture.failedFuture(new Refused(Refused.Kind.NOT_LEADER, "not the leader"))
                                : kind == LeaderLink.PROPOSE ? consensus.propose(body).thenApply(v -> 0L)
                                : consensus.readBarrier();
                        f.whenComplete((v, err) -> linkReply(out, no, err == null ? LeaderLink.OK : LeaderLink.status(err),
                                v == null ? 0 : v));
                    }
                    default -> throw new IOException("unknown link frame kind " + kind);
                }
            }
        }
    }

    private static void linkReply(DataOutputStream out, long no, int status, long value) {
        synchronized (out) {
            try {
                out.writeInt(4 + 8 + 4 + 8);
                out.writeInt(LeaderLink.REPLY);
                out.writeLong(no);
                out.writeInt(status);
                out.writeLong(value);
                out.flush();
            } catch (IOException e) {
                LOG.log(Level.FINE, "leader link reply failed", e);
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
