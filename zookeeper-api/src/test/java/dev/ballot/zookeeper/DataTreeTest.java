package dev.ballot.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.junit.jupiter.api.Test;

/** The data tree as a replicated state machine: deterministic apply, atomic multi, sessions, snapshots. */
class DataTreeTest {
    static final List<ACL> OPEN = List.of(new ACL(31, new Id("world", "anyone")));
    long zxid = 1L << 32;
    long requestId;

    LogEntry entry(int type, long session, byte[] body) {
        return new LogEntry(++zxid, 1, EntryType.COMMAND, new Txn(++requestId, type, session, 1_000 + zxid, body).encode());
    }

    LogEntry session(long id, int timeout) {
        return entry(OpCode.CREATE_SESSION, id, Jute.bytes(new ConnectResponse(0, timeout, id, new byte[16], false)));
    }

    LogEntry create(long session, String path, int flags) {
        return entry(OpCode.CREATE, session, Jute.bytes(new CreateRequest(path, path.getBytes(), OPEN, flags)));
    }

    /** A random but valid history: sessions, creates of every mode, setData, deletes, multis, closes. */
    List<LogEntry> history(long seed, int length) {
        Random r = new Random(seed);
        List<LogEntry> log = new ArrayList<>();
        log.add(session(1, 5000));
        log.add(session(2, 5000));
        log.add(create(1, "/a", 0));
        for (int i = 0; i < length; i++) {
            long s = 1 + r.nextInt(2);
            String path = "/a/" + r.nextInt(8);
            log.add(switch (r.nextInt(6)) {
                case 0 -> create(s, path, r.nextInt(4));
                case 1 -> entry(OpCode.SET_DATA, s, Jute.bytes(new SetDataRequest(path, new byte[] {(byte) i}, -1)));
                case 2 -> entry(OpCode.DELETE, s, Jute.bytes(new DeleteRequest(path, -1)));
                case 3 -> entry(OpCode.MULTI, s, MultiCodec.writeOps(List.of(
                        new MultiCodec.Op(OpCode.CREATE, new CreateRequest(path + "x", new byte[0], OPEN, 0)),
                        new MultiCodec.Op(OpCode.CHECK, new CheckVersionRequest(path, r.nextInt(2))))));
                case 4 -> new LogEntry(++zxid, 1, EntryType.NOOP, new byte[0]);
                default -> r.nextInt(10) == 0 ? entry(OpCode.CLOSE_SESSION, s, new byte[0]) : session(3 + i, 4000);
            });
        }
        return log;
    }

    @Test
    void replicasApplyingTheSameLogHoldTheSameTreeAndSnapshotRestoreIsExact() {
        for (long seed = 0; seed < 20; seed++) {
            zxid = 1L << 32;
            List<LogEntry> log = history(seed, 200);
            DataTree a = new DataTree();
            DataTree b = new DataTree();
            List<TxnResult> ra = new ArrayList<>();
            List<TxnResult> rb = new ArrayList<>();
            for (LogEntry e : log) {
                ra.add(a.apply(e));
                rb.add(b.apply(e));
            }
            assertThat(a.snapshot()).as("seed " + seed).isEqualTo(b.snapshot());
            assertThat(ra).usingRecursiveFieldByFieldElementComparator().as("seed " + seed).isEqualTo(rb);
            // a replica that restores a mid-log snapshot and applies the rest ends where the full replay ends
            DataTree c = new DataTree();
            DataTree prefix = new DataTree();
            log.subList(0, 100).forEach(prefix::apply);
            c.restore(prefix.snapshot());
            log.subList(100, log.size()).forEach(c::apply);
            assertThat(c.snapshot()).as("seed " + seed).isEqualTo(a.snapshot());
            assertThat(c.lastZxid()).isEqualTo(log.get(log.size() - 1).index());
        }
    }

    @Test
    void aFailedMultiChangesNothing() throws Exception {
        DataTree t = new DataTree();
        t.apply(session(1, 5000));
        t.apply(create(1, "/m", 0));
        byte[] before = t.snapshot();
        TxnResult r = t.apply(entry(OpCode.MULTI, 1, MultiCodec.writeOps(List.of(
                new MultiCodec.Op(OpCode.CREATE, new CreateRequest("/m/s-", new byte[0], OPEN, 3)),
                new MultiCodec.Op(OpCode.SET_DATA, new SetDataRequest("/m", new byte[] {1}, 0)),
                new MultiCodec.Op(OpCode.DELETE, new DeleteRequest("/m/none", -1))))));
        assertThat(r.err()).isZero();
        assertThat(r.events()).isEmpty();
        DataTree expected = new DataTree();
        expected.restore(before);
        assertThat(t.stat("/m")).isEqualTo(expected.stat("/m"));
        assertThat(t.children("/m", null)).isEmpty();
        assertThat(t.ephemerals(1, "/")).isEmpty();
    }

    @Test
    void closingASessionDeletesItsEphemeralsAtOneZxid() throws Exception {
        DataTree t = new DataTree();
        t.apply(session(7, 5000));
        t.apply(session(8, 5000));
        t.apply(create(7, "/e1", 1));
        t.apply(create(7, "/e2", 1));
        t.apply(create(8, "/e3", 1));
        TxnResult r = t.apply(entry(OpCode.CLOSE_SESSION, 7, new byte[0]));
        assertThat(r.events()).extracting(TxnResult.WatchEvent::path).containsExactly("/e1", "/", "/e2", "/");
        assertThat(t.stat("/e1")).isNull();
        assertThat(t.stat("/e3").getEphemeralOwner()).isEqualTo(8);
        assertThat(t.session(7)).isNull();
        Stat root = t.stat("/");
        assertThat(root.getPzxid()).isEqualTo(r.zxid());
        TxnResult late = t.apply(create(7, "/e4", 1));
        assertThat(late.err()).isEqualTo(Err.SESSION_EXPIRED);
    }

    @Test
    void entriesThatAreNotZooKeeperTxnsOnlyMoveTheZxid() {
        DataTree t = new DataTree();
        assertThat(t.apply(new LogEntry(5, 1, EntryType.NOOP, new byte[0]))).isNull();
        assertThat(t.apply(new LogEntry(6, 1, EntryType.COMMAND, new byte[] {0, 1, 2}))).isNull();
        assertThat(t.lastZxid()).isEqualTo(6);
        assertThat(t.nodeCount()).isEqualTo(4); // /, /zookeeper, /zookeeper/quota, /zookeeper/config
    }

    LogEntry move(long session, long to, long from) {
        return entry(OpCode.MOVE_SESSION, session, java.nio.ByteBuffer.allocate(16).putLong(to).putLong(from).array());
    }

    @Test
    void aSessionMovesOnlyFromTheOwnerItsHandshakeSaw() {
        DataTree t = new DataTree();
        t.apply(session(7, 5000));
        assertThat(t.owner(7)).as("nobody moved it since it opened").isZero();
        assertThat(t.apply(move(7, 11, 0)).err()).isEqualTo(Err.OK);
        assertThat(t.owner(7)).isEqualTo(11);
        assertThat(t.apply(move(7, 12, 0)).err()).as("a late move from a stale view").isEqualTo(Err.SESSION_MOVED);
        assertThat(t.owner(7)).isEqualTo(11);
        assertThat(t.apply(move(7, 13, 11)).err()).isEqualTo(Err.OK);
        assertThat(t.owner(7)).isEqualTo(13);
        assertThat(t.apply(move(8, 14, 0)).err()).as("no such session").isEqualTo(Err.SESSION_EXPIRED);
        t.apply(entry(OpCode.CLOSE_SESSION, 7, new byte[0]));
        assertThat(t.owner(7)).isZero();
    }
}
