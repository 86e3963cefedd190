package dev.ballot.zookeeper;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.kv.StateMachine;
import dev.ballot.zookeeper.Err.KeeperError;
import dev.ballot.zookeeper.TxnResult.WatchEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.data.StatPersisted;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;

/**
 * ZooKeeper's data tree as the replicated state machine of a ZAB cluster: znodes with their stat, sessions and the
 * ephemeral znodes they own. {@link #apply} is deterministic (times come from the txn, zxids from the log), so
 * every replica holds the same tree; a multi is one entry, applied all or nothing. Reads are local and take the
 * same lock as apply, so a reader sees whole entries only and can register a watch before the next one applies.
 */
public final class DataTree implements StateMachine<TxnResult> {
    /** ZooKeeper's ephemeralOwner of a container znode (EphemeralType.CONTAINER_EPHEMERAL_OWNER). */
    static final long CONTAINER_OWNER = Long.MIN_VALUE;
    static final int PERM_READ = 1;
    static final int PERM_WRITE = 2;
    static final int PERM_CREATE = 4;
    static final int PERM_DELETE = 8;
    static final int PERM_ADMIN = 16;
    static final Id ANYONE = new Id("world", "anyone");
    /** CreateMode numbers: ephemeral 1, sequential 2 (bits), container 4, TTL 5/6. */
    private static final int MODE_EPHEMERAL = 1;
    private static final int MODE_SEQUENTIAL = 2;
    private static final int MODE_CONTAINER = 4;

    /** A replicated session: its negotiated timeout, password, and the ephemeral znodes it owns. */
    public record Session(long id, int timeoutMs, byte[] passwd, TreeSet<String> ephemerals) {
    }

    private final TreeMap<String, ZNode> nodes = new TreeMap<>();
    private final TreeMap<Long, Session> sessions = new TreeMap<>();
    /**
     * The connection that last (re-)connected each session, by its token (MOVE_SESSION): a connection that is not the
     * owner answers SESSIONMOVED. Not in snapshots (nothing a txn computes depends on it): a member restored from one
     * fences a session again from its next move.
     */
    private final Map<Long, Long> owners = new HashMap<>();
    private long lastZxid;
    private volatile Consumer<TxnResult> listener = r -> { };
    /** Inside a multi: how to undo each change so far, newest first; null outside a multi. */
    private ArrayDeque<Runnable> undo;
    private Set<String> saved;

    public DataTree() {
        reset();
    }

    /** Called under the tree's lock after every applied ZooKeeper txn (watch triggers, waiting requests). */
    public void setListener(Consumer<TxnResult> listener) {
        this.listener = listener;
    }

    private void reset() {
        nodes.clear();
        sessions.clear();
        owners.clear();
        lastZxid = 0;
        for (String p : List.of("/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config")) {
            ZNode n = new ZNode(new byte[0], List.of(new ACL(31, ANYONE)), new StatPersisted(0, 0, 0, 0, 0, 0, 0, 0, 0),
                    new TreeSet<>());
            nodes.put(p, n);
            if (!p.equals("/")) {
                nodes.get(Paths.parent(p)).children.add(Paths.name(p));
            }
        }
    }

    @Override
    public synchronized TxnResult apply(LogEntry entry) {
        lastZxid = entry.index();
        TxnResult result = null;
        if (entry.type() == EntryType.COMMAND) {
            Txn txn = Txn.decode(entry.data());
            if (txn != null) {
                result = applyTxn(txn, entry.index());
                listener.accept(result);
            }
        }
        notifyAll();
        return result;
    }

    private TxnResult applyTxn(Txn t, long zxid) {
        List<WatchEvent> events = new ArrayList<>();
        try {
            byte[] response = switch (t.type()) {
                case OpCode.CREATE_SESSION -> {
                    ConnectResponse c = Jute.read(t.body(), new ConnectResponse());
                    sessions.putIfAbsent(t.sessionId(), new Session(t.sessionId(), c.getTimeOut(), c.getPasswd(),
                            new TreeSet<>()));
                    yield t.body();
                }
                case OpCode.CLOSE_SESSION -> {
                    closeSession(t.sessionId(), zxid, events);
                    yield new byte[0];
                }
                case OpCode.MOVE_SESSION -> {
                    if (!sessions.containsKey(t.sessionId()) || t.body().length != 16) {
                        throw Err.of(Err.SESSION_EXPIRED);
                    }
                    ByteBuffer move = ByteBuffer.wrap(t.body());
                    long to = move.getLong();
                    if (owners.getOrDefault(t.sessionId(), 0L) != move.getLong()) {
                        // Another connection took the session since this handshake looked: a late move (of a client
                        // that gave up on that member) must not fence the connection the client uses now.
                        throw Err.of(Err.SESSION_MOVED);
                    }
                    owners.put(t.sessionId(), to);
                    yield new byte[0];
                }
                default -> {
                    if (!sessions.containsKey(t.sessionId())) {
                        throw Err.of(Err.SESSION_EXPIRED);
                    }
                    if (t.type() == OpCode.MULTI) {
                        yield multi(t, zxid, events);
                    }
                    Record r = single(t.type(), request(t.type(), t.body()), t, zxid, events, false);
                    yield r == null ? new byte[0] : Jute.bytes(r);
                }
            };
            return new TxnResult(t.requestId(), zxid, t.type(), t.sessionId(), Err.OK, response, events);
        } catch (KeeperError e) {
            return new TxnResult(t.requestId(), zxid, t.type(), t.sessionId(), e.code(), null, List.of());
        } catch (IOException | RuntimeException e) {
            return new TxnResult(t.requestId(), zxid, t.type(), t.sessionId(), Err.MARSHALLING_ERROR, null, List.of());
        }
    }

    private static Record request(int type, byte[] body) throws IOException, KeeperError {
        Record r = MultiCodec.writeRequest(type);
        if (r == null) {
            throw Err.of(Err.UNIMPLEMENTED);
        }
        return Jute.read(body, r);
    }

    private byte[] multi(Txn t, long zxid, List<WatchEvent> events) throws IOException {
        List<MultiCodec.Op> ops = MultiCodec.readOps(t.body());
        List<MultiCodec.Result> results = new ArrayList<>();
        List<WatchEvent> staged = new ArrayList<>();
        undo = new ArrayDeque<>();
        saved = new HashSet<>();
        int failedAt = -1;
        int failure = 0;
        try {
            for (int i = 0; i < ops.size(); i++) {
                MultiCodec.Op op = ops.get(i);
                try {
                    results.add(new MultiCodec.Result(op.type(), 0, single(op.type(), op.request(), t, zxid, staged, true)));
                } catch (KeeperError e) {
                    failedAt = i;
                    failure = e.code();
                    break;
                }
            }
            if (failedAt >= 0) {
                while (!undo.isEmpty()) {
                    undo.pop().run();
                }
                results.clear();
                for (int i = 0; i < ops.size(); i++) {
                    int err = i < failedAt ? Err.OK : i == failedAt ? failure : Err.RUNTIME_INCONSISTENCY;
                    results.add(new MultiCodec.Result(OpCode.ERROR, err, null));
                }
            } else {
                events.addAll(staged);
            }
        } finally {
            undo = null;
            saved = null;
        }
        return MultiCodec.writeResults(results);
    }

    private Record single(int type, Record req, Txn t, long zxid, List<WatchEvent> events, boolean inMulti)
            throws KeeperError {
        return switch (type) {
            case OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER -> {
                CreateRequest c = (CreateRequest) req;
                int flags = type == OpCode.CREATE_CONTAINER ? MODE_CONTAINER : c.getFlags();
                String path = create(c.getPath(), c.getData(), c.getAcl(), flags, t, zxid, events);
                boolean plain = type == OpCode.CREATE || (inMulti && type == OpCode.CREATE_CONTAINER);
                yield plain ? new CreateResponse(path) : new Create2Response(path, nodes.get(path).toStat());
            }
            case OpCode.CREATE_TTL -> throw Err.of(Err.UNIMPLEMENTED); // TTL znodes: ZooKeeper's extended types, off by default
            case OpCode.DELETE, OpCode.DELETE_CONTAINER -> {
                DeleteRequest d = (DeleteRequest) req;
                delete(d.getPath(), d.getVersion(), zxid, events);
                yield null;
            }
            case OpCode.SET_DATA -> {
                SetDataRequest s = (SetDataRequest) req;
                ZNode n = existing(s.getPath());
                checkVersion(s.getVersion(), n.stat.getVersion());
                checkPerm(n, PERM_WRITE);
                save(s.getPath());
                n.data = s.getData() == null ? new byte[0] : s.getData();
                n.stat.setVersion(n.stat.getVersion() + 1);
                n.stat.setMzxid(zxid);
                n.stat.setMtime(t.time());
                events.add(new WatchEvent(WatchEvent.NODE_DATA_CHANGED, s.getPath()));
                yield new SetDataResponse(n.toStat());
            }
            case OpCode.SET_ACL -> {
                SetACLRequest s = (SetACLRequest) req;
                ZNode n = existing(s.getPath());
                checkAcl(s.getAcl());
                checkVersion(s.getVersion(), n.stat.getAversion());
                checkPerm(n, PERM_ADMIN);
                save(s.getPath());
                n.acl = List.copyOf(s.getAcl());
                n.stat.setAversion(n.stat.getAversion() + 1);
                yield new SetACLResponse(n.toStat());
            }
            case OpCode.CHECK -> {
                CheckVersionRequest c = (CheckVersionRequest) req;
                ZNode n = existing(c.getPath());
                checkVersion(c.getVersion(), n.stat.getVersion());
                yield null;
            }
            default -> throw Err.of(Err.UNIMPLEMENTED);
        };
    }

    private String create(String requested, byte[] data, List<ACL> acl, int flags, Txn t, long zxid,
                          List<WatchEvent> events) throws KeeperError {
        if (flags < 0 || flags > MODE_CONTAINER) {
            throw Err.of(flags <= 6 ? Err.UNIMPLEMENTED : Err.BAD_ARGUMENTS);
        }
        boolean sequential = flags != MODE_CONTAINER && (flags & MODE_SEQUENTIAL) != 0;
        boolean ephemeral = flags != MODE_CONTAINER && (flags & MODE_EPHEMERAL) != 0;
        if (!Paths.valid(requested, sequential) || requested.equals("/")) {
            throw Err.of(Err.BAD_ARGUMENTS);
        }
        checkAcl(acl);
        String parentPath = Paths.parent(sequential && requested.endsWith("/") ? requested + "x" : requested);
        ZNode parent = nodes.get(parentPath);
        if (parent == null) {
            throw Err.of(Err.NO_NODE);
        }
        if (parent.isEphemeral()) {
            throw Err.of(Err.NO_CHILDREN_FOR_EPHEMERALS);
        }
        checkPerm(parent, PERM_CREATE);
        String path = sequential ? requested + String.format(java.util.Locale.ROOT, "%010d", parent.stat.getCversion())
                : requested;
        if (nodes.containsKey(path)) {
            throw Err.of(Err.NODE_EXISTS);
        }
        long owner = flags == MODE_CONTAINER ? CONTAINER_OWNER : ephemeral ? t.sessionId() : 0;
        save(parentPath);
        saveAbsent(path);
        nodes.put(path, new ZNode(data, acl, new StatPersisted(zxid, zxid, t.time(), t.time(), 0, 0, 0, owner, zxid),
                new TreeSet<>()));
        parent.children.add(Paths.name(path));
        parent.stat.setCversion(parent.stat.getCversion() + 1);
        parent.stat.setPzxid(zxid);
        if (ephemeral) {
            Set<String> owned = sessions.get(t.sessionId()).ephemerals();
            owned.add(path);
            if (undo != null) {
                undo.push(() -> owned.remove(path));
            }
        }
        events.add(new WatchEvent(WatchEvent.NODE_CREATED, path));
        events.add(new WatchEvent(WatchEvent.NODE_CHILDREN_CHANGED, parentPath));
        return path;
    }

    private void delete(String path, int version, long zxid, List<WatchEvent> events) throws KeeperError {
        if (!Paths.valid(path, false) || path.equals("/") || path.equals("/zookeeper") || path.startsWith("/zookeeper/")) {
            throw Err.of(Err.BAD_ARGUMENTS);
        }
        ZNode n = existing(path);
        checkVersion(version, n.stat.getVersion());
        if (!n.children.isEmpty()) {
            throw Err.of(Err.NOT_EMPTY);
        }
        String parentPath = Paths.parent(path);
        ZNode parent = nodes.get(parentPath);
        checkPerm(parent, PERM_DELETE);
        remove(path, n, parentPath, parent, zxid, events);
    }

    private void remove(String path, ZNode n, String parentPath, ZNode parent, long zxid, List<WatchEvent> events) {
        save(parentPath);
        save(path);
        nodes.remove(path);
        parent.children.remove(Paths.name(path));
        parent.stat.setCversion(parent.stat.getCversion() + 1);
        parent.stat.setPzxid(zxid);
        Session owner = n.isEphemeral() ? sessions.get(n.stat.getEphemeralOwner()) : null;
        if (owner != null) {
            owner.ephemerals().remove(path);
            if (undo != null) {
                undo.push(() -> owner.ephemerals().add(path));
            }
        }
        events.add(new WatchEvent(WatchEvent.NODE_DELETED, path));
        events.add(new WatchEvent(WatchEvent.NODE_CHILDREN_CHANGED, parentPath));
    }

    private void closeSession(long sessionId, long zxid, List<WatchEvent> events) {
        Session s = sessions.remove(sessionId);
        owners.remove(sessionId);
        if (s == null) {
            return; // already closed or expired: closing twice is harmless
        }
        for (String path : new ArrayList<>(s.ephemerals())) {
            ZNode n = nodes.get(path);
            if (n != null) {
                String parentPath = Paths.parent(path);
                remove(path, n, parentPath, nodes.get(parentPath), zxid, events);
            }
        }
    }

    /** In a multi, remembers how {@code path} was before its first change so a failed multi can restore it. */
    private void save(String path) {
        if (undo != null && saved.add(path)) {
            ZNode before = nodes.get(path);
            ZNode copy = before == null ? null : before.copy();
            undo.push(() -> {
                if (copy == null) {
                    nodes.remove(path);
                } else {
                    nodes.put(path, copy);
                }
            });
        }
    }

    private void saveAbsent(String path) {
        save(path);
    }

    private ZNode existing(String path) throws KeeperError {
        if (!Paths.valid(path, false)) {
            throw Err.of(Err.BAD_ARGUMENTS);
        }
        ZNode n = nodes.get(path);
        if (n == null) {
            throw Err.of(Err.NO_NODE);
        }
        return n;
    }

    private static void checkVersion(int expected, int actual) throws KeeperError {
        if (expected != -1 && expected != actual) {
            throw Err.of(Err.BAD_VERSION);
        }
    }

    /** Only world:anyone is served: any other scheme is refused as ZooKeeper refuses an ACL it cannot honour. */
    static void checkAcl(List<ACL> acl) throws KeeperError {
        if (acl == null || acl.isEmpty()) {
            throw Err.of(Err.INVALID_ACL);
        }
        for (ACL a : acl) {
            if (a.getId() == null || !ANYONE.equals(a.getId()) || (a.getPerms() & ~31) != 0) {
                throw Err.of(Err.INVALID_ACL);
            }
        }
    }

    private static void checkPerm(ZNode n, int perm) throws KeeperError {
        for (ACL a : n.acl) {
            if ((a.getPerms() & perm) != 0) {
                return;
            }
        }
        throw Err.of(Err.NO_AUTH);
    }

    // ---------------------------------------------------------------- reads (local, under the apply lock)

    public synchronized long lastZxid() {
        return lastZxid;
    }

    /** Waits until this replica applied {@code zxid}; false on timeout. */
    public synchronized boolean awaitApplied(long zxid, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (lastZxid < zxid) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    public synchronized Stat stat(String path) {
        ZNode n = nodes.get(path);
        return n == null ? null : n.toStat();
    }

    /** Data and stat; throws NO_NODE, NO_AUTH. */
    public synchronized byte[] data(String path, Stat into) throws KeeperError {
        ZNode n = existing(path);
        checkPerm(n, PERM_READ);
        copy(n.toStat(), into);
        return n.data;
    }

    public synchronized List<String> children(String path, Stat into) throws KeeperError {
        ZNode n = existing(path);
        checkPerm(n, PERM_READ);
        if (into != null) {
            copy(n.toStat(), into);
        }
        return new ArrayList<>(n.children);
    }

    public synchronized List<ACL> acl(String path, Stat into) throws KeeperError {
        ZNode n = existing(path);
        copy(n.toStat(), into);
        return n.acl;
    }

    public synchronized int allChildrenNumber(String path) throws KeeperError {
        existing(path);
        String prefix = path.equals("/") ? "/" : path + "/";
        return nodes.subMap(prefix, prefix + Character.MAX_VALUE).size() - (path.equals("/") ? 1 : 0);
    }

    public synchronized List<String> ephemerals(long sessionId, String prefix) {
        Session s = sessions.get(sessionId);
        if (s == null) {
            return List.of();
        }
        return s.ephemerals().stream().filter(p -> prefix.equals("/") || p.startsWith(prefix)).toList();
    }

    public synchronized Session session(long id) {
        return sessions.get(id);
    }

    /** The token of the connection that last (re-)connected the session; 0 when none moved it since it opened. */
    public synchronized long owner(long sessionId) {
        return owners.getOrDefault(sessionId, 0L);
    }

    public synchronized Map<Long, Integer> sessionTimeouts() {
        Map<Long, Integer> m = new TreeMap<>();
        sessions.forEach((id, s) -> m.put(id, s.timeoutMs()));
        return m;
    }

    public synchronized int nodeCount() {
        return nodes.size();
    }

    public synchronized long approximateDataSize() {
        long size = 0;
        for (Map.Entry<String, ZNode> e : nodes.entrySet()) {
            size += e.getKey().length() + e.getValue().data.length;
        }
        return size;
    }

    public synchronized int ephemeralCount() {
        return sessions.values().stream().mapToInt(s -> s.ephemerals().size()).sum();
    }

    private static void copy(Stat from, Stat to) {
        if (to == null) {
            return;
        }
        to.setCzxid(from.getCzxid());
        to.setMzxid(from.getMzxid());
        to.setCtime(from.getCtime());
        to.setMtime(from.getMtime());
        to.setVersion(from.getVersion());
        to.setCversion(from.getCversion());
        to.setAversion(from.getAversion());
        to.setEphemeralOwner(from.getEphemeralOwner());
        to.setDataLength(from.getDataLength());
        to.setNumChildren(from.getNumChildren());
        to.setPzxid(from.getPzxid());
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public synchronized byte[] snapshot() {
        return TreeSnapshot.write(lastZxid, sessions.values(), nodes);
    }

    @Override
    public synchronized void restore(byte[] snapshot) {
        reset();
        if (snapshot == null || snapshot.length == 0) {
            notifyAll();
            return;
        }
        nodes.clear();
        lastZxid = TreeSnapshot.read(snapshot, sessions, nodes);
        for (Map.Entry<String, ZNode> e : nodes.entrySet()) {
            if (!e.getKey().equals("/")) {
                nodes.get(Paths.parent(e.getKey())).children.add(Paths.name(e.getKey()));
            }
            if (e.getValue().isEphemeral()) {
                Session s = sessions.get(e.getValue().stat.getEphemeralOwner());
                if (s != null) {
                    s.ephemerals().add(e.getKey());
                }
            }
        }
        notifyAll();
    }
}
