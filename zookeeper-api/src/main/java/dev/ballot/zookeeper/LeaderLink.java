package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.BufferedInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A follower's connection to the leader's ZooKeeper port, as ZooKeeper's followers forward writes to their leader:
 * proposals, sync barriers and session touches go over it. Frames are {@code [length][kind][request no][body]};
 * the leader answers {@code [REPLY][request no][status][value]}. The first frame names the protocol and cluster.
 */
final class LeaderLink implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaderLink.class.getName());
    static final int MAGIC = 0x42414C54; // "BALT": never a ConnectRequest's protocol version (0)
    static final int PROPOSE = 2;
    static final int BARRIER = 3;
    static final int TOUCH = 4;
    static final int REPLY = 5;
    static final int OK = 0;

    private final String clusterId;
    private final LongFunction<InetSocketAddress> addressOf;
    /** Null: plain TCP; else TLS with this member's certificate, to a leader whose certificate names a member. */
    private final ZkTls tls;
    private final Map<Long, CompletableFuture<Long>> pending = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private long connectedTo;
    private Socket socket;
    /** The frames of the link's callers (the connections' reader threads), gathered into few writes. */
    private FrameWriter out;

    LeaderLink(String clusterId, LongFunction<InetSocketAddress> addressOf) {
        this(clusterId, addressOf, null);
    }

    LeaderLink(String clusterId, LongFunction<InetSocketAddress> addressOf, ZkTls tls) {
        this.clusterId = clusterId;
        this.addressOf = addressOf;
        this.tls = tls;
    }

    CompletableFuture<Long> propose(long leader, byte[] txn) {
        return call(leader, PROPOSE, txn);
    }

    CompletableFuture<Long> barrier(long leader) {
        return call(leader, BARRIER, new byte[0]);
    }

    void touch(long leader, long[] sessions) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 8 * sessions.length).putInt(sessions.length);
        for (long s : sessions) {
            b.putLong(s);
        }
        call(leader, TOUCH, b.array());
    }

    private synchronized CompletableFuture<Long> call(long leader, int kind, byte[] body) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        long no = seq.incrementAndGet();
        try {
            connect(leader);
        } catch (IOException e) {
            f.completeExceptionally(new Refused(Refused.Kind.NOT_LEADER, "cannot reach the leader: " + e.getMessage()));
            return f;
        }
        if (kind != TOUCH) {
            pending.put(no, f);
        }
        // A write that fails ends the link: every call waiting on it then fails with OUTCOME_UNKNOWN (readReplies)
        out.send(java.nio.ByteBuffer.allocate(4 + 8 + body.length).putInt(kind).putLong(no).put(body).array());
        if (kind == TOUCH) {
            f.complete(0L);
        }
        return f;
    }

    /** The leader's answer to request {@code no}: {@code [REPLY][no][status][value]}. */
    static byte[] reply(long no, int status, long value) {
        return java.nio.ByteBuffer.allocate(4 + 8 + 4 + 8).putInt(REPLY).putLong(no).putInt(status).putLong(value).array();
    }

    private void connect(long leader) throws IOException {
        if (socket != null && connectedTo == leader && !socket.isClosed()) {
            return;
        }
        disconnect(Refused.Kind.OUTCOME_UNKNOWN);
        InetSocketAddress address = addressOf.apply(leader);
        if (address == null) {
            throw new IOException("no ZooKeeper client address for member " + leader);
        }
        if (address.isUnresolved()) {
            address = new InetSocketAddress(address.getHostString(), address.getPort());
        }
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(address, 1000);
        Socket s = tls == null ? plain : secure(plain, address);
        FrameWriter o = new FrameWriter(s, ZkServer.LINK_BUFFER, () -> closed(s));
        byte[] id = clusterId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        o.send(java.nio.ByteBuffer.allocate(4 + 4 + id.length).putInt(MAGIC).putInt(id.length).put(id).array());
        o.start("zk-leader-link-out-" + leader);
        socket = s;
        out = o;
        connectedTo = leader;
        Thread reader = new Thread(() -> readReplies(s), "zk-leader-link-" + leader);
        reader.setDaemon(true);
        reader.start();
    }

    /** TLS over {@code plain}, with this member's certificate; the leader's must name a member of this cluster. */
    private Socket secure(Socket plain, InetSocketAddress address) throws IOException {
        SSLSocket s = (SSLSocket) tls.context().getSocketFactory().createSocket(plain, address.getHostString(),
                address.getPort(), true);
        try {
            s.setSoTimeout(5_000);
            s.startHandshake();
            s.setSoTimeout(0);
            java.security.cert.X509Certificate leaderCert = ZkServer.peerCertificate(s.getSession());
            String why = leaderCert != null ? tls.memberRefusal().apply(leaderCert) : "no certificate";
            if (why != null) {
                throw new IOException("the leader's address " + address + " answered with a certificate that is not a"
                        + " member's: " + why);
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private void readReplies(Socket s) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()))) {
            while (true) {
                in.readInt();
                if (in.readInt() != REPLY) {
                    throw new IOException("unexpected frame from the leader");
                }
                long no = in.readLong();
                int status = in.readInt();
                long value = in.readLong();
                CompletableFuture<Long> f = pending.remove(no);
                if (f == null) {
                    continue;
                }
                if (status == OK) {
                    f.complete(value);
                } else {
                    f.completeExceptionally(new Refused(Refused.Kind.values()[status - 1], "refused by the leader"));
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "leader link closed", e);
        }
        closed(s);
    }

    /** The link's socket {@code s} ended (read or write): if it is still the current one, its calls fail. */
    private synchronized void closed(Socket s) {
        if (socket == s) {
            disconnect(Refused.Kind.OUTCOME_UNKNOWN);
        }
    }

    private void disconnect(Refused.Kind why) {
        if (socket != null) {
            out.abort(); // closes the socket
            socket = null;
            out = null;
            connectedTo = 0;
        }
        for (Long no : pending.keySet()) {
            CompletableFuture<Long> f = pending.remove(no);
            if (f != null) {
                f.completeExceptionally(new Refused(why, "the connection to the leader closed"));
            }
        }
    }

    /**
     * This member has learnt of a leader other than {@code leader}: if the link is to {@code leader}, it closes, and
     * every call waiting on it fails (a write with OUTCOME_UNKNOWN: it may still commit under the new leader).
     */
    synchronized void abandon(long leader) {
        if (socket != null && connectedTo == leader) {
            LOG.fine(() -> "leaving the link to former leader " + leader);
            disconnect(Refused.Kind.OUTCOME_UNKNOWN);
        }
    }

    @Override
    public synchronized void close() {
        disconnect(Refused.Kind.STOPPED);
    }

    /** Status of a reply for a refusal (0 is OK). */
    static int status(Throwable t) {
        Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof Refused r ? r.kind().ordinal() + 1 : Refused.Kind.OUTCOME_UNKNOWN.ordinal() + 1;
    }
}
