package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
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
    /** A follower link's reply buffer: replies are 28 bytes, a batch of a few hundred fits. */
    static final int LINK_BUFFER = 8 * 1024;

    /**
     * @param listen       where clients connect in plain TCP ({@code clientPort}); null: not served
     * @param secureListen where clients connect over TLS ({@code secureClientPort}); null: not served. Needs {@link ZkTls}
     * @param members      every member's address for leader links by member id (a follower forwards writes to the
     *                     leader's): its secure client address when TLS is on, else its client address
     * @param maxClientCnxns connections one client IP may hold (0: no limit)
     */
    public record Options(InetSocketAddress listen, InetSocketAddress secureListen, Map<Long, InetSocketAddress> members,
                          String clusterId, int maxClientCnxns, int minSessionTimeoutMs, int maxSessionTimeoutMs) {
        public Options {
            if (listen == null && secureListen == null) {
                throw new IllegalArgumentException("neither a client port nor a secure client port");
            }
        }

        /** Plain TCP only, as before TLS. */
        public Options(InetSocketAddress listen, Map<Long, InetSocketAddress> members, String clusterId,
                       int maxClientCnxns, int minSessionTimeoutMs, int maxSessionTimeoutMs) {
            this(listen, null, members, clusterId, maxClientCnxns, minSessionTimeoutMs, maxSessionTimeoutMs);
        }
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
    /** Null: no TLS (then only the plain port, and leader links on it are authenticated by the cluster id alone). */
    private final ZkTls tls;
    private ServerSocket serverSocket;
    private ServerSocket secureSocket;
    private volatile boolean running;
    private volatile int maxOutstanding = RequestPipeline.DEFAULT_MAX_OUTSTANDING;

    public ZkServer(DataTree tree, Consensus consensus, Options options) {
        this(tree, consensus, options, null);
    }

    public ZkServer(DataTree tree, Consensus consensus, Options options, ZkTls tls) {
        if (options.secureListen() != null && tls == null) {
            throw new IllegalArgumentException("a secure client port needs TLS material");
        }
        this.tree = tree;
        this.consensus = consensus;
        this.options = options;
        this.tls = tls;
        this.link = new LeaderLink(options.clusterId(), id -> options.members().get(id), tls);
        this.writes = new Writes(consensus, link, tree);
        this.expiry = new SessionExpiry(tree, workers, this::expire);
        tree.setListener(this::applied);
    }

    public ZkServer start() throws IOException {
        running = true;
        try {
            if (options.listen() != null) {
                serverSocket = bind(new ServerSocket(), options.listen());
                daemon(() -> acceptLoop(serverSocket, false), "zk-accept-" + serverSocket.getLocalPort()).start();
                LOG.info(() -> "serving ZooKeeper clients on " + serverSocket.getLocalSocketAddress() + " (plain TCP"
                        + (tls != null ? "; leader links refused there" : "") + ")");
            }
            if (options.secureListen() != null) {
                SSLServerSocket secure = (SSLServerSocket) tls.context().getServerSocketFactory().createServerSocket();
                // before the client-auth setting: setSSLParameters also sets it; accepted sockets inherit both
                secure.setSSLParameters(tls.serverParameters().apply(secure.getSSLParameters()));
                if (tls.requireClientCertificate()) {
                    secure.setNeedClientAuth(true);
                } else {
                    secure.setWantClientAuth(true);
                }
                secureSocket = bind(secure, options.secureListen());
                daemon(() -> acceptLoop(secureSocket, true), "zk-accept-tls-" + secureSocket.getLocalPort()).start();
                LOG.info(() -> "serving ZooKeeper clients over TLS on " + secureSocket.getLocalSocketAddress()
                        + " (client certificates " + (tls.requireClientCertificate() ? "required" : "optional") + ")");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        long every = Math.max(50, options.minSessionTimeoutMs() / 3);
        timer.scheduleWithFixedDelay(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private static ServerSocket bind(ServerSocket s, InetSocketAddress at) throws IOException {
        s.setReuseAddress(true);
        s.bind(at, 128);
        return s;
    }

    /** The plain client port, -1 when not served. */
    public int port() {
        return serverSocket == null ? -1 : serverSocket.getLocalPort();
    }

    /** The secure client port, -1 when not served. */
    public int securePort() {
        return secureSocket == null ? -1 : secureSocket.getLocalPort();
    }

    @Override
    public void close() {
        running = false;
        for (ServerSocket s : new ServerSocket[]{serverSocket, secureSocket}) {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (IOException ignored) {
                // closing
            }
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

    /** Requests one connection may have in flight before its socket is no longer read. */
    int maxOutstanding() {
        return maxOutstanding;
    }

    /** Tests: a smaller bound, set before clients connect. */
    ZkServer maxOutstanding(int bound) {
        this.maxOutstanding = bound;
        return this;
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

    private void acceptLoop(ServerSocket listener, boolean secure) {
        while (running) {
            try {
                Socket s = listener.accept();
                if (tooMany(s.getInetAddress())) {
                    LOG.warning(() -> "too many connections from " + s.getInetAddress() + " (maxClientCnxns "
                            + options.maxClientCnxns() + "); closing");
                    s.close();
                    continue;
                }
                workers.execute(() -> serve(s, secure));
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

    private void serve(Socket s, boolean secure) {
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(options.maxSessionTimeoutMs() * 2);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            int first;
            try {
                first = in.readInt(); // on the secure port, the TLS handshake happens here
            } catch (SSLException e) {
                LOG.warning(() -> "refused a ZooKeeper client from " + s.getRemoteSocketAddress() + " on the secure port:"
                        + " TLS handshake failed (" + e.getMessage() + ")");
                s.close();
                return;
            }
            X509Certificate cert = secure ? peerCertificate(((SSLSocket) s).getSession()) : null;
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
            boolean link = ByteBuffer.wrap(frame).getInt() == LeaderLink.MAGIC;
            String refusal = link ? linkRefusal(secure, cert) : secure && cert == null
                    ? "no client certificate (present one issued by the cluster's CA: the Secret of spec.clients)" : null;
            if (refusal != null) {
                LOG.warning("refused a " + (link ? "leader link" : "ZooKeeper session") + " from "
                        + s.getRemoteSocketAddress() + ": " + refusal);
                s.close();
            } else if (link) {
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

    /**
     * Null when a leader link may be served on this connection. With TLS on, only over TLS and only from a certificate
     * that names a member of this cluster: a link proposes txns as they are (any session's closeSession, ephemerals
     * of any owner), so an application's certificate must not open one.
     */
    private String linkRefusal(boolean secure, X509Certificate cert) {
        if (tls == null) {
            return null;
        }
        if (!secure) {
            return "leader links are served on the secure client port only when TLS is on";
        }
        if (cert == null) {
            return "no certificate (leader links need a member's)";
        }
        String why = tls.memberRefusal().apply(cert);
        return why == null ? null : "not a member of this cluster: " + why;
    }

    /** The certificate the other end presented in {@code session}, null when none (also for the leader link's dialer). */
    static X509Certificate peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
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
        // replies are sent from the member's answer thread, which completes every write of a batch: queued, they
        // never wait on this socket and leave together (one TLS record for a batch, not one per write)
        FrameWriter replies = new FrameWriter(s, LINK_BUFFER, () -> { });
        replies.start("zk-link-out-" + s.getRemoteSocketAddress());
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
                        f.whenComplete((v, err) -> replies.send(LeaderLink.reply(no,
                                err == null ? LeaderLink.OK : LeaderLink.status(err), v == null ? 0 : v)));
                    }
                    default -> throw new IOException("unknown link frame kind " + kind);
                }
            }
        } finally {
            replies.abort();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
