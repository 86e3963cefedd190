package dev.ballot.node.transport;

import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.node.config.HostPort;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Messages between members over TCP. Each member dials every peer it sends to (one outbound connection per peer, used
 * only for sending) and accepts the peers' connections (used only for receiving). Both ends start with a handshake
 * frame naming their cluster id and member id; a connection from another cluster, or to an address that turns out to
 * be another member, is refused and logged.
 *
 * <p>{@link #send} never blocks: each peer has a bounded queue; when it is full the message is dropped and counted
 * (consensus protocols retransmit). A lost connection is re-dialled with exponential backoff and jitter. Garbage,
 * truncated, oversized or undecodable input closes that one connection and is logged; it never reaches the caller.
 */
public final class PeerTransport implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PeerTransport.class.getName());
    private static final int HANDSHAKE_TIMEOUT_MS = 5_000;
    private static final int CONNECT_TIMEOUT_MS = 3_000;
    private static final int READ_BUFFER = 64 << 10;
    /** Inbound connections beyond this are closed at once: each costs a thread, and a cluster needs a handful. */
    static final int MAX_INBOUND_CONNECTIONS = 256;
    /**
     * Inbound connections still waiting for their handshake beyond this are closed at once. Unauthenticated, they may
     * be anyone; a cluster's members handshake within milliseconds, so a few dozen at a time is already an attack.
     */
    static final int MAX_PENDING_HANDSHAKES = 32;

    private final long selfId;
    private final String clusterId;
    private final MessageCodec codec;
    private final TransportOptions options;
    private final Map<Long, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<Long, AtomicLong> received = new ConcurrentHashMap<>();
    private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();
    private final Set<Socket> inboundSockets = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong unknownPeerDrops = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private volatile Consumer<Message> inbound;
    private volatile LongConsumer peerLost = id -> { };
    volatile int maxInbound = MAX_INBOUND_CONNECTIONS;
    volatile int maxPendingHandshakes = MAX_PENDING_HANDSHAKES;
    /** One deadline for the whole handshake, however its bytes trickle in. */
    volatile int handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS;
    private final java.util.concurrent.atomic.AtomicInteger pendingHandshakes = new java.util.concurrent.atomic.AtomicInteger();
    /** A write that makes no progress for this long means the peer stopped reading (or vanished): reconnect. */
    volatile long writeStallNanos = TimeUnit.SECONDS.toNanos(5);
    private Thread watchdog;
    private volatile boolean closed;
    /** TLS on every connection; null: plain TCP. */
    private volatile PeerTls tls;
    /** Cuts off connections whose handshake (TLS and Ballot's) is not complete by one total deadline. */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ballot-peer-handshake-deadline");
                t.setDaemon(true);
                return t;
            });

    public PeerTransport(long selfId, String clusterId, MessageCodec codec, TransportOptions options) {
        if (selfId <= 0) {
            throw new IllegalArgumentException("selfId must be positive, got " + selfId);
        }
        this.selfId = selfId;
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.options = Objects.requireNonNull(options, "options");
        new Handshake(clusterId, selfId).toFrame(); // validates the cluster id's length now, not on first connect
    }

    /**
     * Mutual TLS 1.3 on every connection from now on, before {@link #start}: a peer must present a certificate from the
     * cluster's CA that names the member id it claims (docs/node-api.md, TLS).
     */
    public synchronized void useTls(PeerTls tls) {
        if (inbound != null) {
            throw new IllegalStateException("TLS must be set before the transport starts");
        }
        this.tls = Objects.requireNonNull(tls, "tls");
    }

    /** Listens on every address (Raft: the peer port; ZAB: quorum and election ports) and delivers to {@code inbound}. */
    public synchronized void start(List<HostPort> listen, Consumer<Message> inbound) throws IOException {
        if (closed) {
            throw new IllegalStateException("transport is closed");
        }
        if (this.inbound != null) {
            throw new IllegalStateException("transport already started");
        }
        this.inbound = Objects.requireNonNull(inbound, "inbound");
        try {
            int left = ChunkSpool.clearLeftovers(options.spoolDir());
            if (left > 0) {
                LOG.log(System.Logger.Level.INFO, "deleted " + left + " unfinished incoming transfer(s) in " + options.spoolDir());
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot clear " + options.spoolDir() + ": " + e);
        }
        for (HostPort address : listen) {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            try {
                server.bind(new InetSocketAddress(address.host(), address.port()), 128);
            } catch (IOException e) {
                server.close();
                close();
                throw new IOException("cannot listen for peers on " + address + ": " + e.getMessage()
                        + " (is another process using the port, or is the host not an address of this machine?)", e);
            }
            servers.add(server);
            spawn("ballot-peer-accept-" + address, () -> acceptLoop(server));
        }
    }

    /**
     * Called with a member's id when its established connection to us (the one we receive on) ends by EOF, reset or
     * I/O error rather than by our own {@link #close()}: its process most likely died, which the engine would
     * otherwise only learn from a timeout. Runs on a transport thread, so it must not block (enqueue and return).
     * Only inbound connections count: the outbound one is never read, so a write failure on it can surface long
     * after the peer died, even after it restarted, and would be a stale hint.
     */
    public void onPeerLost(LongConsumer listener) {
        this.peerLost = Objects.requireNonNull(listener, "listener");
    }

    /** The addresses actually bound, in the order given to {@link #start} (ports resolved when 0 was asked). */
    public List<HostPort> boundAddresses() {
        List<HostPort> list = new ArrayList<>();
        for (ServerSocket s : servers) {
            list.add(new HostPort(s.getInetAddress().getHostAddress(), s.getLocalPort()));
        }
        return list;
    }

    /** The peers to send to, by member id (this node's own id is ignored). Links to removed peers are closed. */
    public synchronized void setPeers(Map<Long, HostPort> peers) {
        if (closed) {
            return;
        }
        if (watchdog == null) {
            watchdog = new Thread(this::watchWrites, "ballot-peer-watchdog");
            watchdog.setDaemon(true);
            threads.add(watchdog);
            watchdog.start();
        }
        for (Map.Entry<Long, HostPort> e : peers.entrySet()) {
            long id = e.getKey();
            if (id == selfId) {
                continue;
            }
            PeerLink link = links.get(id);
            if (link == null) {
                link = new PeerLink(id, e.getValue());
                links.put(id, link);
                PeerLink started = link;
                spawn("ballot-peer-send-" + id, started::run);
            } else {
                link.retarget(e.getValue());
            }
        }
        for (Long id : new ArrayList<>(links.keySet())) {
            if (!peers.containsKey(id)) {
                links.remove(id).shutdown();
            }
        }
    }

    /** Queues a message for {@code message.to()}; false when dropped (unknown peer, full queue, transport closed). */
    public boolean send(Message message) {
        if (closed) {
            return false;
        }
        PeerLink link = links.get(message.to());
        if (link == null) {
            unknownPeerDrops.incrementAndGet();
            return false;
        }
        if (!link.queue.offer(message)) {
            link.dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    public Map<Long, PeerLinkStats> stats() {
        Map<Long, PeerLinkStats> out = new TreeMap<>();
        for (PeerLink l : links.values()) {
            AtomicLong r = received.get(l.id);
            out.put(l.id, new PeerLinkStats(l.address, l.connected, l.queue.size(), l.sent.get(), l.dropped.get(),
                    r == null ? 0 : r.get(), l.connectAttempts.get(), l.lastError));
        }
        return out;
    }

    /** Messages for ids that are not peers. */
    public long unknownPeerDrops() {
        return unknownPeerDrops.get();
    }

    /** Inbound connections closed for a bad handshake, another cluster, bad frames or undecodable messages. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (ServerSocket s : servers) {
            closeQuietly(s);
        }
        for (Socket s : inboundSockets) {
            closeQuietly(s);
        }
        for (PeerLink l : links.values()) {
            l.shutdown();
        }
        Thread w;
        synchronized (this) {
            w = watchdog;
        }
        if (w != null) {
            w.interrupt();
        }
        // One deadline for all of them, not 2 s each: a node has a dozen of these threads, and a stopping pod has 30 s.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Thread t : threads) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(t, Math.max(1, end - System.nanoTime()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void spawn(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        threads.removeIf(x -> !x.isAlive() && x != t);
    }

    /** Closes connections whose writes make no progress, which TCP alone would only notice after many minutes. */
    private void watchWrites() {
        while (!closed) {
            try {
                Thread.sleep(Math.max(10, TimeUnit.NANOSECONDS.toMillis(writeStallNanos) / 4));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (PeerLink l : links.values()) {
                long since = l.writingSince;
                if (since != 0 && now - since > writeStallNanos) {
                    l.stalled();
                }
            }
        }
    }

    // ---- receiving ----

    private void acceptLoop(ServerSocket server) {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "peer listener " + server.getLocalSocketAddress() + " failed: " + e);
                }
                return;
            }
            if (closed) {
                closeQuietly(socket);
                return;
            }
            if (inboundSockets.size() >= maxInbound) {
                refuse(String.valueOf(socket.getRemoteSocketAddress()), "too many inbound peer connections (limit "
                        + maxInbound + ")");
                closeQuietly(socket);
                continue;
            }
            if (pendingHandshakes.incrementAndGet() > maxPendingHandshakes) {
                pendingHandshakes.decrementAndGet();
                refuse(String.valueOf(socket.getRemoteSocketAddress()), "too many connections waiting for their handshake"
                        + " (limit " + maxPendingHandshakes + ")");
                closeQuietly(socket);
                continue;
            }
            inboundSockets.add(socket);
            spawn("ballot-peer-in-" + socket.getRemoteSocketAddress(), () -> readLoop(socket));
        }
    }

    private void readLoop(Socket socket) {
        String remote = String.valueOf(socket.getRemoteSocketAddress());
        long peer = 0;
        boolean pending = true;
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            expired.set(true);
            closeQuietly(socket);
        }, handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        PeerTls tls = this.tls;
        try (socket; ChunkAssembler chunks = new ChunkAssembler(options.spoolDir(), options.maxMessageBytes())) {
            socket.setTcpNoDelay(true);
            Socket io = socket;
            if (tls != null) {
                javax.net.ssl.SSLSocket ssl = tls.server(socket);
                socket.setSoTimeout(handshakeTimeoutMs);
                ssl.startHandshake(); // the JDK reads one TLS record (<= 16 KiB) at a time
                io = ssl;
            }
            // Small limit and one deadline first: nothing large is allocated for a connection that has not said who it is.
            Handshake hello = HandshakeReader.read(io, handshakeTimeoutMs);
            if (tls != null) {
                String why = tls.mismatch((javax.net.ssl.SSLSocket) io, hello.memberId());
                if (why != null) {
                    refuse(remote, "it claims to be member " + hello.memberId() + " but " + why);
                    return;
                }
            }
            deadline.cancel(false);
            pending = false;
            pendingHandshakes.decrementAndGet();
            OutputStream out = io.getOutputStream();
            out.write(new Handshake(clusterId, selfId).toFrame().encode());
            out.flush();
            if (!hello.clusterId().equals(clusterId)) {
                refuse(remote, "it belongs to cluster '" + hello.clusterId() + "' (member " + hello.memberId()
                        + "), this node to cluster '" + clusterId + "'");
                return;
            }
            if (hello.memberId() == selfId) {
                refuse(remote, "it claims this node's own member id " + selfId + " (two members with one id?)");
                return;
            }
            peer = hello.memberId();
            socket.setSoTimeout(0);
            InputStream in = io.getInputStream();
            FrameDecoder decoder = new FrameDecoder(options.maxFrameBytes());
            byte[] buf = new byte[READ_BUFFER];
            PeerLink back = links.get(peer);
            if (back != null) {
                back.peerIsUp();
            }
            AtomicLong counter = received.computeIfAbsent(peer, k -> new AtomicLong());
            LOG.log(System.Logger.Level.DEBUG, "member " + peer + " connected from " + remote);
            while (!closed) {
                Frame frame = readFrame(in, decoder, buf);
                byte[] payload = switch (frame.type()) {
                    case MESSAGE -> frame.payload();
                    case CHUNK -> chunks.accept(Chunk.parse(frame.payload()));
                    default -> throw new FrameException("unexpected " + frame.type() + " frame after the handshake");
                };
                if (payload == null) {
                    continue; // a chunk of a message not complete yet
                }
                Message message;
                try {
                    message = codec.decode(payload);
                } catch (MalformedMessageException e) {
                    throw new FrameException("undecodable message: " + e.getMessage());
                } catch (RuntimeException e) {
                    throw new FrameException("undecodable message (codec threw " + e + ")");
                }
                if (message.from() != peer) {
                    throw new FrameException("a message claims to be from member " + message.from()
                            + " on the connection of member " + peer);
                }
                counter.incrementAndGet();
                if (message.to() != selfId) {
                    LOG.log(System.Logger.Level.DEBUG, "dropping a message for member " + message.to() + " from " + peer);
                    continue;
                }
                try {
                    inbound.accept(message);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "the inbound handler failed on a message from member " + peer, e);
                }
            }
        } catch (FrameException e) {
            refuse(remote + (peer > 0 ? " (member " + peer + ")" : ""), e.getMessage());
        } catch (SocketTimeoutException e) {
            refuse(remote, "no complete handshake within " + handshakeTimeoutMs + " ms");
        } catch (javax.net.ssl.SSLException e) {
            if (peer == 0 && !closed) {
                refuse(remote, expired.get() ? "no complete TLS handshake within " + handshakeTimeoutMs + " ms"
                        : "TLS handshake failed: " + e.getMessage());
            } else if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "peer connection from " + remote + " failed: " + e);
                peerLost(peer);
            }
        } catch (EOFException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "peer connection from " + remote + " ended: " + e.getMessage());
                peerLost(peer);
            }
        } catch (IOException e) {
            if (expired.get() && peer == 0) {
                refuse(remote, "no complete handshake within " + handshakeTimeoutMs + " ms");
            } else if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "peer connection from " + remote + " failed: " + e);
                peerLost(peer);
            }
        } finally {
            deadline.cancel(false);
            if (pending) {
                pendingHandshakes.decrementAndGet();
            }
            inboundSockets.remove(socket);
        }
    }

    /** A handshaken connection ended (0: it never got that far, so no member to name). */
    private void peerLost(long peer) {
        if (peer <= 0) {
            return;
        }
        PeerLink link = links.get(peer);
        if (link != null) {
            link.peerGone = true;
        }
        try {
            peerLost.accept(peer);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the peer-lost listener failed for member " + peer, e);
        }
    }

    private void refuse(String remote, String why) {
        refusedConnections.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "closing peer connection from " + remote + ": " + why);
    }

    /** Reads until the decoder yields a frame; EOF inside a frame is reported as a truncated frame. */
    private static Frame readFrame(InputStream in, FrameDecoder decoder, byte[] buf) throws IOException, FrameException {
        while (true) {
            Frame f = decoder.next();
            if (f != null) {
                return f;
            }
            int n = in.read(buf);
            if (n < 0) {
                if (decoder.buffered() > 0) {
                    throw new FrameException("connection ended inside a frame (" + decoder.buffered()
                            + " bytes of a truncated frame)");
                }
                throw new EOFException("connection closed by the peer");
            }
            decoder.feed(buf, 0, n);
        }
    }

    // ---- sending ----

    /** How long a connection must have lasted for its end to be redialled without a backoff wait. */
    static final long STEADY_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Queued by a link's close watcher to wake its sender, which then redials; never written. */
    private static final Message REDIAL = new Message() {
        @Override
        public long from() {
            return 0;
        }

        @Override
        public long to() {
            return 0;
        }
    };

    private final class PeerLink {
        final long id;
        final ArrayBlockingQueue<Message> queue = new ArrayBlockingQueue<>(options.sendQueueCapacity());
        final AtomicLong sent = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong connectAttempts = new AtomicLong();
        final SplittableRandom random = new SplittableRandom();
        volatile HostPort address;
        volatile boolean connected;
        volatile String lastError;
        volatile boolean stopped;
        volatile Socket socket;
        volatile Thread thread;
        /**
         * The peer's connection to us ended, so its process (and our socket to it) is most likely dead: TCP would take
         * the next write into the buffer and lose it to the reset. Redial before writing instead.
         */
        volatile boolean peerGone;
        /**
         * Set when the link redials because its peer went away rather than because a dial failed: the first dial then
         * goes at once, without a backoff wait. Only after a connection that lasted {@link #STEADY_NANOS}: a peer that
         * completes the handshake and drops the connection at once (one shutting down) is dialled with backoff.
         */
        private boolean redialNow;
        /** System.nanoTime() when the current connection's handshake completed. */
        private long connectedAt;
        /** Released when the peer shows it is up again, to end a backoff wait early. */
        private final java.util.concurrent.Semaphore upAgain = new java.util.concurrent.Semaphore(0);
        /** A message taken from the queue but not written when the link had to redial; sent first on the next one. */
        private Message carried;
        /**
         * The large message being sent in chunks, null when none. Dropped (and counted) when the connection fails: the
         * receiver deletes what it got, and the protocol resends (a Raft leader's snapshot retry, a ZAB re-sync).
         */
        private ChunkedSend bulk;
        /** The message {@link #bulk} carries: the engine's resend of the same snapshot is dropped before it is encoded. */
        private Message bulkMessage;
        private long transfers;
        /** System.nanoTime() of the last progress of the current write, 0 when not writing. */
        volatile long writingSince;
        volatile String stallReason;

        PeerLink(long id, HostPort address) {
            this.id = id;
            this.address = address;
        }

        void retarget(HostPort newAddress) {
            if (!newAddress.equals(address)) {
                address = newAddress;
                Socket s = socket;
                if (s != null) {
                    closeQuietly(s); // the sender reconnects to the new address
                }
            }
        }

        /**
         * The peer connected to us, so it is up. A link still waiting out its backoff from while the peer was down
         * (up to the maximum, 2 s) dials now: otherwise the first messages after the restart, often the votes of
         * the next election, would wait in the queue for the rest of the backoff.
         */
        void peerIsUp() {
            if (!connected && upAgain.availablePermits() == 0) {
                upAgain.release();
            }
        }

        /**
         * The peer never writes on our connection after its handshake, so the end of its stream means it closed the
         * connection: it exited (a pod deleted in a rolling update). Nothing else tells when the peer never connected
         * to us: TCP takes our writes into its buffer while the peer's address is gone (no reset ever comes) until
         * the buffer fills, minutes later at a follower's rate of acknowledgements (on the real node a new leader
         * went 125 s without its follower's acknowledgements). Marks the link so the next write redials first.
         */
        private void watchForClose(Socket s, HostPort target) {
            Thread watch = new Thread(() -> {
                try {
                    InputStream in = s.getInputStream();
                    while (in.read() != -1) {
                        // nothing is expected after the handshake
                    }
                    if (socket == s && !stopped && !closed) {
                        stallReason = "member " + id + " at " + target + " closed our connection to it (it exited); "
                                + "redialling";
                        connected = false;
                        peerGone = true;
                        if (writingSince != 0) {
                            closeQuietly(s); // a write blocked on the dead connection would wait for the watchdog
                        }
                        // Redial now, not at the next message: between followers the next message is the next
                        // election's pre-vote, which would then wait for a dial and its backoff (70-110 ms of a
                        // frozen leader's failover in the bench, docs/bench.md).
                        queue.offer(REDIAL);
                    }
                } catch (IOException e) {
                    // our own close or a reset: the writer sees it too
                }
            }, "ballot-peer-" + id + "-close-watch");
            watch.setDaemon(true);
            watch.start();
        }

        void stalled() {
            Socket s = socket;
            if (s != null) {
                stallReason = "member " + id + " at " + address + ": a write stalled for more than "
                        + TimeUnit.NANOSECONDS.toMillis(writeStallNanos) + " ms (the peer is not reading); reconnecting";
                closeQuietly(s);
            }
        }

        void shutdown() {
            stopped = true;
            Socket s = socket;
            if (s != null) {
                closeQuietly(s);
            }
            Thread t = thread;
            if (t != null) {
                t.interrupt();
            }
        }

        void run() {
            thread = Thread.currentThread();
            long backoff = options.reconnectBackoffMin().toNanos();
            long maxBackoff = options.reconnectBackoffMax().toNanos();
            boolean loggedDown = false;
            String lastLogged = null;
            while (!stopped && !closed) {
                HostPort target = address;
                connectedAt = 0;
                try (Socket s = new Socket()) {
                    socket = s;
                    if (stopped) {
                        return;
                    }
                    connectAttempts.incrementAndGet();
                    peerGone = false;
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress(target.host(), target.port()), CONNECT_TIMEOUT_MS);
                    PeerTls tls = PeerTransport.this.tls;
                    Socket io = s;
                    if (tls != null) {
                        javax.net.ssl.SSLSocket ssl = tls.client(s, target.host(), target.port());
                        s.setSoTimeout(handshakeTimeoutMs);
                        ssl.startHandshake();
                        io = ssl;
                    }
                    OutputStream out = new BufferedOutputStream(io.getOutputStream(), READ_BUFFER);
                    out.write(new Handshake(clusterId, selfId).toFrame().encode());
                    out.flush();
                    Handshake reply = HandshakeReader.read(io, handshakeTimeoutMs);
                    if (!reply.clusterId().equals(clusterId)) {
                        throw new RefusedPeer("the peer at " + target + " belongs to cluster '" + reply.clusterId()
                                + "' (member " + reply.memberId() + "), this node to cluster '" + clusterId + "'");
                    }
                    if (reply.memberId() != id) {
                        throw new RefusedPeer("the peer at " + target + " is member " + reply.memberId()
                                + ", expected member " + id + " (check the member addresses)");
                    }
                    String why = tls == null ? null : tls.mismatch((javax.net.ssl.SSLSocket) io, id);
                    if (why != null) {
                        throw new RefusedPeer("the peer at " + target + " answers as member " + id + " but " + why);
                    }
                    s.setSoTimeout(0);
                    connected = true;
                    connectedAt = System.nanoTime();
                    watchForClose(s, target);
                    upAgain.drainPermits();
                    lastError = null;
                    if (loggedDown) {
                        LOG.log(System.Logger.Level.INFO, "connected to member " + id + " at " + target);
                        loggedDown = false;
                    }
                    pump(out);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | FrameException e) {
                    connected = false;
                    if (stopped || closed) {
                        return;
                    }
                    String stall = stallReason;
                    stallReason = null;
                    String why = stall != null ? stall
                            : e instanceof RefusedPeer ? e.getMessage() : "member " + id + " at " + target + ": " + e;
                    lastError = why;
                    // Log when the link goes down or the reason changes, not on every retry.
                    if (!loggedDown || !why.equals(lastLogged)) {
                        LOG.log(e instanceof RefusedPeer || e instanceof FrameException ? System.Logger.Level.WARNING
                                : System.Logger.Level.INFO, "cannot reach peer: " + why + "; retrying with backoff");
                        loggedDown = true;
                        lastLogged = why;
                    }
                } finally {
                    connected = false;
                    socket = null;
                    writingSince = 0;
                }
                // A connection that lasted starts the backoff over; one dropped right after its handshake does not, so
                // a peer that accepts and closes at once is dialled ever more slowly, not in a loop.
                if (connectedAt != 0 && System.nanoTime() - connectedAt >= STEADY_NANOS) {
                    backoff = options.reconnectBackoffMin().toNanos();
                }
                if (redialNow) {
                    redialNow = false;
                    continue;
                }
                try {
                    long sleep = backoff / 2 + random.nextLong(backoff / 2 + 1); // jitter: [backoff/2, backoff]
                    if (upAgain.tryAcquire(sleep, TimeUnit.NANOSECONDS)) {
                        backoff = options.reconnectBackoffMin().toNanos();
                        continue;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                backoff = Math.min(maxBackoff, backoff * 2);
            }
        }

        /**
         * Sends queued messages, flushing whenever the queue runs dry so a burst goes out in few packets. A message too
         * large for one frame goes in chunks, one chunk per round, with the messages queued meanwhile between them.
         */
        private void pump(OutputStream out) throws IOException, InterruptedException {
            try {
                while (!stopped && !closed) {
                    Message m = carried != null ? carried : bulk != null ? queue.poll() : queue.poll(1, TimeUnit.SECONDS);
                    carried = null;
                    if (m == REDIAL) {
                        m = null;
                        if (!peerGone) {
                            continue; // a wake-up from an earlier connection's end
                        }
                    }
                    if (m == null && bulk == null && !peerGone) {
                        continue;
                    }
                    if (peerGone) {
                        carried = m;
                        redialNow = System.nanoTime() - connectedAt >= STEADY_NANOS;
                        throw new IOException("member " + id + "'s connection to us closed; redialling");
                    }
                    writingSince = System.nanoTime();
                    for (; m != null; m = queue.poll()) {
                        if (m != REDIAL) {
                            write(out, m);
                        } else if (peerGone) {
                            break; // the next round redials
                        }
                    }
                    if (bulk != null) {
                        bulk.writeNext(out, READ_BUFFER, () -> writingSince = System.nanoTime());
                        if (bulk.done()) {
                            bulk = null;
                            bulkMessage = null;
                            sent.incrementAndGet();
                        }
                    }
                    out.flush();
                    writingSince = 0;
                }
            } catch (IOException e) {
                if (bulk != null) {
                    bulk = null;
                    bulkMessage = null;
                    dropped.incrementAndGet();
                }
                throw e;
            }
        }

        private void write(OutputStream out, Message m) throws IOException {
            if (bulk != null && m.equals(bulkMessage)) {
                // A Raft leader resends its snapshot after an election timeout without progress; while the first copy
                // is still streaming that only costs an encoding of the whole state. (Records compare the snapshot's
                // bytes by reference: this is the same snapshot object, not a byte-wise comparison.)
                dropped.incrementAndGet();
                return;
            }
            byte[] payload;
            try {
                payload = codec.encode(m);
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "cannot encode a message for member " + id + ": " + e);
                return;
            } catch (OutOfMemoryError e) {
                // A snapshot's encoding is the one allocation here the size of the state: failing it must not kill
                // this link's thread (the peer would get nothing more). The protocol resends; the heap needs room.
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "cannot encode a message for member " + id + ": out of memory;"
                        + " sending a snapshot takes about twice the state's size on the heap: raise -Xmx");
                return;
            }
            if (payload.length + Frame.MIN_LENGTH <= options.chunkBytes()) {
                byte[] frame = new Frame(Frame.Type.MESSAGE, payload).encode();
                // In slices, so the watchdog sees progress on a big frame and only fires when the peer stops reading.
                for (int off = 0; off < frame.length; off += READ_BUFFER) {
                    out.write(frame, off, Math.min(READ_BUFFER, frame.length - off));
                    writingSince = System.nanoTime();
                }
                sent.incrementAndGet();
            } else if (payload.length > options.maxMessageBytes()) {
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "dropping a message of " + payload.length + " bytes for member "
                        + id + ": larger than maxMessageBytes " + options.maxMessageBytes());
            } else if (bulk != null) {
                // One large transfer at a time per peer: a second (a snapshot resent before the first arrived) would
                // only repeat it; the protocol asks again if the first one does not do.
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.DEBUG, "dropping a message of " + payload.length + " bytes for member " + id
                        + ": a chunked transfer to it is in progress");
            } else {
                bulk = new ChunkedSend(++transfers, payload, options.chunkBytes());
                bulkMessage = m;
            }
        }
    }

    private static final class RefusedPeer extends IOException {
        RefusedPeer(String message) {
            super(message);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on shutdown or after an error; nothing left to report
        }
    }
}
