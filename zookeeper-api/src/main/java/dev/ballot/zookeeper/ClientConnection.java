package dev.ballot.zookeeper;

import dev.ballot.zookeeper.Consensus.Refused;
import dev.ballot.zookeeper.Err.KeeperError;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.WhoAmIResponse;

/**
 * One ZooKeeper client connection: the session handshake, then requests read ahead and answered in the order they
 * arrived (the client checks that) through a {@link RequestPipeline}: writes go to the leader as they are read, in
 * order, without waiting for the previous commit; reads are answered from this member's tree once every earlier
 * write of the connection applied. Watch events go straight to the output when a txn triggers them, before the
 * write's own reply and before any read that sees the change is answered.
 *
 * <p>A session that re-connected elsewhere is fenced here ({@code SESSIONMOVED}, then the connection closes): every
 * handshake of an existing session commits a move txn naming the new connection, and this connection compares that
 * owner with its own {@link #token} before it answers or proposes anything.
 */
final class ClientConnection implements Watches.Target {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());
    private static final int NOTIFICATION_XID = -1;
    private static final int MAX_FRAME = 4 * 1024 * 1024 + 1024;
    /**
     * The writer's buffer, allocated with the connection and held for its life: small answers gather here until the
     * queue is drained; a larger one goes to the socket directly. 64 KiB per connection was 4 MiB of heap on a member
     * holding 64 sessions (docs/bench.md, "Memory").
     */
    static final int OUTPUT_BUFFER = 8 * 1024;

    private final ZkServer server;
    private final Socket socket;
    private final FrameWriter output;
    private final RequestPipeline pipeline;
    /** This connection as a session owner (DataTree#owner): unique across members, never 0. */
    private final long token;
    private final SessionOrder order;
    private volatile long sessionId;
    private volatile int timeoutMs;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile boolean closed;
    /** The client asked to close its session: nothing more is read, the pipeline closes after answering it. */
    private volatile boolean closing;

    ClientConnection(ZkServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
        // a failed write closes the socket, which ends the reader too
        this.output = new FrameWriter(socket, OUTPUT_BUFFER, () -> { });
        this.pipeline = new RequestPipeline(server.maxOutstanding());
        this.order = new SessionOrder(server.writes());
        this.token = server.newRequestId() | 1;
    }

    long sessionId() {
        return sessionId;
    }

    /** Heard from within its session timeout: the session is alive as far as this member knows. */
    boolean alive() {
        return !closed && sessionId != 0 && System.nanoTime() - lastHeardNanos < timeoutMs * 1_000_000L;
    }

    String remote() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    void serve(DataInputStream in, byte[] connectFrame) {
        output.start("zk-out-" + remote());
        try {
            if (!handshake(connectFrame)) {
                return;
            }
            pipeline.start("zk-answer-" + remote(), this::close);
            // At the bound the socket is not read until a request has been answered.
            while (!closing && !closed && pipeline.admit()) {
                int len = in.readInt();
                if (len < 8 || len > MAX_FRAME) {
                    throw new IOException("frame of " + len + " bytes");
                }
                byte[] frame = new byte[len];
                in.readFully(frame);
                lastHeardNanos = System.nanoTime();
                server.received();
                handle(frame);
            }
        } catch (SocketTimeoutException e) {
            LOG.fine(() -> "session 0x" + Long.toHexString(sessionId) + " silent for its timeout; closing " + remote());
        } catch (EOFException e) {
            LOG.fine(() -> "client of session 0x" + Long.toHexString(sessionId) + " closed its connection");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing ZooKeeper connection " + remote(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!closing) {
                close();
            }
        }
    }

    private boolean handshake(byte[] frame) throws IOException, InterruptedException {
        BinaryInputArchive a = Jute.archive(frame);
        a.readInt("protocolVersion");
        long lastZxidSeen = a.readLong("lastZxidSeen");
        int requested = a.readInt("timeOut");
        long id = a.readLong("sessionId");
        byte[] passwd = a.readBuffer("passwd");
        int timeout = server.negotiate(requested);
        try {
            if (lastZxidSeen > server.tree().lastZxid() || (id != 0 && server.tree().session(id) == null)) {
                server.writes().sync(timeout); // a member behind the client (or the session) catches up first
            }
            if (lastZxidSeen > server.tree().lastZxid()) {
                LOG.info(() -> "refusing " + remote() + ": it has seen zxid 0x" + Long.toHexString(lastZxidSeen));
                return false;
            }
            if (id == 0) {
                id = server.newSessionId();
                passwd = server.newPassword();
                byte[] body = Jute.bytes(new ConnectResponse(0, timeout, id, passwd, false));
                TxnResult r = server.writes().submit(new Txn(server.newRequestId(), OpCode.CREATE_SESSION, id,
                        System.currentTimeMillis(), body), timeout);
                if (r.err() != Err.OK) {
                    return false;
                }
            } else {
                DataTree.Session s = server.tree().session(id);
                if (s == null || !Arrays.equals(s.passwd(), passwd)) {
                    send(Jute.bytes(new ConnectResponse(0, 0, 0, new byte[16], false)));
                    output.finish();
                    return false; // the client reports its session expired
                }
                timeout = s.timeoutMs();
                // Owned by this connection from now on: the one the client left answers SESSIONMOVED (ZooKeeper's
                // revalidation, which moves the session's owner on its leader, here through the log).
                byte[] move = ByteBuffer.allocate(16).putLong(token).putLong(server.tree().owner(id)).array();
                TxnResult moved = server.writes().submit(new Txn(server.newRequestId(), OpCode.MOVE_SESSION, id,
                        System.currentTimeMillis(), move), timeout);
                if (moved.err() == Err.SESSION_MOVED) {
                    String session = Long.toHexString(id);
                    LOG.info(() -> "session 0x" + session + " was taken by another connection"
                            + " during the handshake of " + remote() + "; closing it, the client connects again");
                    return false;
                }
                if (moved.err() != Err.OK) {
                    send(Jute.bytes(new ConnectResponse(0, 0, 0, new byte[16], false)));
                    output.finish();
                    return false; // closed meanwhile: the client reports its session expired
                }
            }
        } catch (Refused e) {
            LOG.fine(() -> "cannot open a session for " + remote() + " now: " + e.getMessage());
            return false;
        }
        sessionId = id;
        timeoutMs = timeout;
        socket.setSoTimeout(timeout);
        server.register(this);
        send(Jute.bytes(new ConnectResponse(0, timeout, id, passwd, false)));
        return true;
    }

    /** Reads one request and queues its answer; a write is handed to the leader now. */
    private void handle(byte[] frame) throws IOException, InterruptedException {
        BinaryInputArchive a = Jute.archive(frame);
        RequestHeader h = new RequestHeader();
        h.deserialize(a, "header");
        int xid = h.getXid();
        int type = h.getType();
        switch (type) {
            case OpCode.PING -> pipeline.add(() -> {
                if (moved()) {
                    throw new IOException("session 0x" + Long.toHexString(sessionId) + " moved to another connection");
                }
                reply(xid, Err.OK, null);
            });
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER, OpCode.CREATE_TTL, OpCode.DELETE,
                    OpCode.DELETE_CONTAINER, OpCode.SET_DATA, OpCode.SET_ACL, OpCode.MULTI, OpCode.CHECK ->
                    write(xid, type, Arrays.copyOfRange(frame, 8, frame.length));
            case OpCode.CLOSE_SESSION -> {
                closing = true; // nothing after a closeSession is read; the connection closes once it is answered
                write(xid, OpCode.CLOSE_SESSION, new byte[0]);
                pipeline.add(this::close);
            }
            default -> {
                Record request = switch (type) {
                    case OpCode.SET_WATCHES -> read(a, new SetWatches());
                    case OpCode.SET_WATCHES2 -> read(a, new SetWatches2());
                    case OpCode.SYNC -> read(a, new SyncRequest());
                    default -> null;
                };
                order.readQueued();
                pipeline.add(() -> {
                    try {
                        if (!fenced(xid)) {
                            answer(xid, type, request, a, frame);
                        }
                    } finally {
                        order.readAnswered();
                    }
                });
            }
        }
    }

    /** Answers a request that writes nothing, at its turn (every earlier write of the connection has applied). */
    private void answer(int xid, int type, Record request, BinaryInputArchive a, byte[] frame)
            throws IOException, InterruptedException {
        switch (type) {
            case OpCode.AUTH -> reply(xid, Err.OK, null); // identities grant nothing: only world:anyone ACLs exist
            case OpCode.SET_WATCHES -> {
                SetWatches w = (SetWatches) request;
                setWatches(w.getRelativeZxid(), w.getDataWatches(), w.getExistWatches(), w.getChildWatches(),
                        List.of(), List.of());
                reply(xid, Err.OK, null); // 3.9 clients send SetWatches with a normal xid and match it
            }
            case OpCode.SET_WATCHES2 -> {
                SetWatches2 w = (SetWatches2) request;
                setWatches(w.getRelativeZxid(), w.getDataWatches(), w.getExistWatches(), w.getChildWatches(),
                        w.getPersistentWatches(), w.getPersistentRecursiveWatches());
                reply(xid, Err.OK, null); // 3.9 clients send SetWatches with a normal xid and match it
            }
            case OpCode.SYNC -> {
                try {
                    server.writes().sync(timeoutMs);
                } catch (Refused e) {
                    throw new IOException("sync failed: " + e.getMessage());
                }
                reply(xid, Err.OK, new SyncResponse(((SyncRequest) request).getPath()));
            }
            case OpCode.RECONFIG -> reply(xid, Err.RECONFIG_DISABLED, null);
            default -> readOnly(xid, type, a, frame);
        }
    }

    /** The session re-connected elsewhere (its owner is another connection now): ZooKeeper's SESSIONMOVED. */
    private boolean moved() {
        long owner = server.tree().owner(sessionId);
        return owner != 0 && owner != token;
    }

    /** When the session moved: answers {@code xid} SESSIONMOVED and closes the connection, as ZooKeeper does. */
    private boolean fenced(int xid) {
        if (!moved()) {
            return false;
        }
        LOG.info(() -> "session 0x" + Long.toHexString(sessionId) + " moved to another connection; answering"
                + " SESSIONMOVED and closing " + remote());
        reply(xid, Err.SESSION_MOVED, null);
        close();
        return true;
    }

    private void readOnly(int xid, int type, BinaryInputArchive a, byte[] frame) throws IOException {
        DataTree tree = server.tree();
        Watches watches = server.watches();
        if (type == OpCode.MULTI_READ) {
            byte[] results;
            long zxid;
            synchronized (tree) { // answered before a later txn's watch event can be queued
                results = multiRead(tree, Arrays.copyOfRange(frame, 8, frame.length));
                zxid = tree.lastZxid();
                server.sent();
                send(concat(Jute.bytes(new ReplyHeader(xid, zxid, Err.OK)), results));
            }
            return;
        }
        Record response;
        int err = Err.OK;
        synchronized (tree) { // a watch is set before the next txn applies, so no change slips between
            try {
                response = switch (type) {
                    case OpCode.EXISTS -> {
                        ExistsRequest r = read(a, new ExistsRequest());
                        Stat s = tree.stat(r.getPath());
                        if (r.getWatch()) {
                            watches.addData(r.getPath(), this);
                        }
                        if (s == null) {
                            throw Err.of(Err.NO_NODE);
                        }
                        yield new ExistsResponse(s);
                    }
                    case OpCode.GET_DATA -> {
                        GetDataRequest r = read(a, new GetDataRequest());
                        Stat s = new Stat();
                        byte[] data = tree.data(r.getPath(), s);
                        if (r.getWatch()) {
                            watches.addData(r.getPath(), this);
                        }
                        yield new GetDataResponse(data, s);
                    }
                    case OpCode.GET_CHILDREN -> {
                        GetChildrenRequest r = read(a, new GetChildrenRequest());
                        List<String> children = tree.children(r.getPath(), null);
                        if (r.getWatch()) {
                            watches.addChild(r.getPath(), this);
                        }
                        yield new GetChildrenResponse(children);
                    }
                    case OpCode.GET_CHILDREN2 -> {
                        GetChildren2Request r = read(a, new GetChildren2Request());
                        Stat s = new Stat();
                        List<String> children = tree.children(r.getPath(), s);
                        if (r.getWatch()) {
                            watches.addChild(r.getPath(), this);
                        }
                        yield new GetChildren2Response(children, s);
                    }
                    case OpCode.GET_ACL -> {
                        GetACLRequest r = read(a, new GetACLRequest());
                        Stat s = new Stat();
                        yield new GetACLResponse(new ArrayList<>(tree.acl(r.getPath(), s)), s);
                    }
                    case OpCode.GET_ALL_CHILDREN_NUMBER -> new GetAllChildrenNumberResponse(
                            tree.allChildrenNumber(read(a, new GetAllChildrenNumberRequest()).getPath()));
                    case OpCode.GET_EPHEMERALS -> new GetEphemeralsResponse(
                            tree.ephemerals(sessionId, read(a, new GetEphemeralsRequest()).getPrefixPath()));
                    case OpCode.ADD_WATCH -> {
                        AddWatchRequest r = read(a, new AddWatchRequest());
                        if (!Paths.valid(r.getPath(), false)) {
                            throw Err.of(Err.BAD_ARGUMENTS);
                        }
                        watches.addPersistent(r.getPath(), this, r.getMode() == Watches.MODE_PERSISTENT_RECURSIVE);
                        yield new ErrorResponse(Err.OK); // the client reads addWatch's answer as an ErrorResponse
                    }
                    case OpCode.REMOVE_WATCHES -> {
                        RemoveWatchesRequest r = read(a, new RemoveWatchesRequest());
                        if (!watches.remove(r.getPath(), r.getType(), this, true)) {
                            throw Err.of(Err.NO_WATCHER);
                        }
                        yield null;
                    }
                    case OpCode.CHECK_WATCHES -> {
                        CheckWatchesRequest r = read(a, new CheckWatchesRequest());
                        if (!watches.remove(r.getPath(), r.getType(), this, false)) {
                            throw Err.of(Err.NO_WATCHER);
                        }
                        yield null;
                    }
                    case OpCode.WHO_AM_I -> new WhoAmIResponse(List.of(new ClientInfo("ip",
                            socket.getInetAddress().getHostAddress())));
                    default -> throw Err.of(Err.UNIMPLEMENTED);
                };
            } catch (KeeperError e) {
                response = null;
                err = e.code();
            }
            reply(xid, err, response); // under the lock: no watch event of a later txn overtakes this answer
        }
    }

    /** ZooKeeper's multiRead: each getData/getChildren answered on its own, a failure only fails that op. */
    private static byte[] multiRead(DataTree tree, byte[] body) throws IOException {
        List<MultiCodec.Result> results = new ArrayList<>();
        for (MultiCodec.Op op : MultiCodec.readOps(body)) {
            try {
                if (op.request() instanceof GetDataRequest r) {
                    Stat s = new Stat();
                    byte[] data = tree.data(r.getPath(), s);
                    results.add(new MultiCodec.Result(OpCode.GET_DATA, 0, new GetDataResponse(data, s)));
                } else if (op.request() instanceof GetChildrenRequest r) {
                    results.add(new MultiCodec.Result(OpCode.GET_CHILDREN, 0,
                            new GetChildrenResponse(tree.children(r.getPath(), null))));
                } else {
                    results.add(new MultiCodec.Result(OpCode.ERROR, Err.BAD_ARGUMENTS, null));
                }
            } catch (KeeperError e) {
                results.add(new MultiCodec.Result(OpCode.ERROR, e.code(), null));
            }
        }
        return MultiCodec.writeResults(results);
    }

    /**
     * Hands the write to the leader now (after the connection's earlier writes, before its later ones) unless the
     * session moved, and queues its answer: the result once this member applied it.
     */
    private void write(int xid, int type, byte[] body) throws IOException, InterruptedException {
        if (moved()) {
            pipeline.add(() -> fenced(xid));
            return;
        }
        Txn txn = new Txn(server.newRequestId(), type, sessionId, System.currentTimeMillis(), body);
        long deadline = System.nanoTime() + server.writeTimeoutMillis(timeoutMs) * 1_000_000L;
        Writes.Flight flight = order.dispatch(txn, () -> closed);
        pipeline.add(() -> {
            TxnResult r = outcome(flight, deadline);
            server.sent();
            ReplyHeader h = new ReplyHeader(xid, r.zxid(), r.err());
            send(r.err() == Err.OK ? concat(Jute.bytes(h), r.response()) : Jute.bytes(h));
        });
    }

    /**
     * The applied result of a dispatched write; when it cannot be confirmed the connection closes, as a ZooKeeper
     * server that lost its leader does: the client sees ConnectionLoss and retries.
     */
    private TxnResult outcome(Writes.Flight flight, long deadline) throws IOException, InterruptedException {
        try {
            return order.outcome(flight, deadline);
        } catch (Refused e) {
            LOG.info(() -> "session 0x" + Long.toHexString(sessionId) + ": write not confirmed (" + e.kind() + ": "
                    + e.getMessage() + "); closing the connection so the client retries");
            throw new IOException("write " + flight.txn().type() + " not confirmed: " + e.kind() + " " + e.getMessage());
        }
    }

    private void setWatches(long relativeZxid, List<String> data, List<String> exist, List<String> child,
                            List<String> persistent, List<String> recursive) {
        DataTree tree = server.tree();
        Watches watches = server.watches();
        synchronized (tree) {
            long zxid = tree.lastZxid();
            rewatch(data, tree, zxid, Stat::getMzxid, relativeZxid, TxnResult.WatchEvent.NODE_DATA_CHANGED,
                    p -> watches.addData(p, this));
            for (String p : exist) {
                if (tree.stat(p) != null) {
                    event(TxnResult.WatchEvent.NODE_CREATED, p, zxid);
                } else {
                    watches.addData(p, this);
                }
            }
            rewatch(child, tree, zxid, Stat::getPzxid, relativeZxid, TxnResult.WatchEvent.NODE_CHILDREN_CHANGED,
                    p -> watches.addChild(p, this));
            persistent.forEach(p -> watches.addPersistent(p, this, false));
            recursive.forEach(p -> watches.addPersistent(p, this, true));
        }
    }

    /**
     * A data or child watch the client set before it reconnected: fires at once (deleted, or changed since the
     * client's {@code relativeZxid} by the zxid {@code changedAt} reads), else is set again here.
     */
    private void rewatch(List<String> paths, DataTree tree, long zxid, ToLongFunction<Stat> changedAt,
                         long relativeZxid, int changed, Consumer<String> watch) {
        for (String p : paths) {
            Stat s = tree.stat(p);
            if (s == null) {
                event(TxnResult.WatchEvent.NODE_DELETED, p, zxid);
            } else if (changedAt.applyAsLong(s) > relativeZxid) {
                event(changed, p, zxid);
            } else {
                watch.accept(p);
            }
        }
    }

    @Override
    public void event(int type, String path, long zxid) {
        if (!closed) {
            server.sent();
            send(Jute.bytes(new ReplyHeader(NOTIFICATION_XID, zxid, Err.OK), new WatcherEvent(type, 3, path)));
        }
    }

    private void reply(int xid, int err, Record response) {
        server.sent();
        ReplyHeader h = new ReplyHeader(xid, server.tree().lastZxid(), err);
        send(response == null || err != Err.OK ? Jute.bytes(h) : Jute.bytes(h, response));
    }

    private void send(byte[] payload) {
        output.send(payload);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static <T extends Record> T read(BinaryInputArchive a, T r) throws IOException {
        r.deserialize(a, "request");
        return r;
    }

    /** Ends the connection (not the session: the client may reconnect anywhere within its timeout). */
    void close() {
        closed = true;
        pipeline.stop();
        server.unregister(this);
        output.finish();
    }

    /** Closes at once, dropping queued output (the session expired or the server stops). */
    void abort() {
        closed = true;
        pipeline.stop();
        output.abort();
    }
}
