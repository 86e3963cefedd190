package dev.ballot.engine.zab;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.zab.ZabMessage.Ack;
import dev.ballot.engine.zab.ZabMessage.AckEpoch;
import dev.ballot.engine.zab.ZabMessage.Commit;
import dev.ballot.engine.zab.ZabMessage.Elect;
import dev.ballot.engine.zab.ZabMessage.FollowerInfo;
import dev.ballot.engine.zab.ZabMessage.Inform;
import dev.ballot.engine.zab.ZabMessage.LeaderInfo;
import dev.ballot.engine.zab.ZabMessage.NeedSnapshot;
import dev.ballot.engine.zab.ZabMessage.NewLeader;
import dev.ballot.engine.zab.ZabMessage.Notification;
import dev.ballot.engine.zab.ZabMessage.Ping;
import dev.ballot.engine.zab.ZabMessage.PingAck;
import dev.ballot.engine.zab.ZabMessage.Propose;
import dev.ballot.engine.zab.ZabMessage.UpToDate;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * ZAB's wire format: a version byte, a type byte, from and to, then the fields in record order.
 * Every length is checked against the bytes actually present before anything is allocated, so
 * hostile input costs at most its own size and ends in {@link MalformedMessageException}.
 */
public final class ZabCodec implements MessageCodec {
    private static final byte VERSION = 1;
    private static final int ENTRY_HEADER = 8 + 8 + 1 + 4;

    private static final byte NOTIFICATION = 1;
    private static final byte FOLLOWER_INFO = 2;
    private static final byte LEADER_INFO = 3;
    private static final byte ACK_EPOCH = 4;
    private static final byte NEW_LEADER = 5;
    private static final byte ACK = 6;
    private static final byte UP_TO_DATE = 7;
    private static final byte PROPOSE = 8;
    private static final byte COMMIT = 9;
    private static final byte INFORM = 10;
    private static final byte PING = 11;
    private static final byte PING_ACK = 12;
    private static final byte NEED_SNAPSHOT = 13;
    private static final byte ELECT = 14;

    @Override
    public byte[] encode(Message message) {
        if (!(message instanceof ZabMessage m)) {
            throw new IllegalArgumentException("not a ZAB message: " + message);
        }
        Writer w = new Writer(sizeOf(m));
        w.b(VERSION);
        if (m instanceof Notification n) {
            w.b(NOTIFICATION).head(n).l(n.leader()).l(n.zxid()).l(n.peerEpoch()).l(n.round())
                    .b((byte) n.state().ordinal()).l(n.designated());
            if (n.config() != null) {
                w.l(n.configVersion()).config(n.config());
            }
        } else if (m instanceof FollowerInfo f) {
            w.b(FOLLOWER_INFO).head(f).l(f.acceptedEpoch()).l(f.lastZxid()).b((byte) (f.observer() ? 1 : 0));
        } else if (m instanceof LeaderInfo li) {
            w.b(LEADER_INFO).head(li).l(li.newEpoch());
        } else if (m instanceof AckEpoch a) {
            w.b(ACK_EPOCH).head(a).l(a.epoch()).l(a.currentEpoch()).l(a.lastZxid()).b((byte) (a.fresh() ? 1 : 0));
        } else if (m instanceof NewLeader nl) {
            w.b(NEW_LEADER).head(nl).l(nl.epoch()).b((byte) nl.mode().ordinal()).l(nl.truncateTo());
            w.snapshot(nl.snapshot()).l(nl.prevZxid()).entries(nl.entries()).l(nl.committedZxid());
        } else if (m instanceof Ack a) {
            w.b(ACK).head(a).l(a.epoch()).l(a.zxid());
        } else if (m instanceof UpToDate u) {
            w.b(UP_TO_DATE).head(u).l(u.epoch()).l(u.committedZxid());
        } else if (m instanceof Propose p) {
            w.b(PROPOSE).head(p).l(p.epoch()).l(p.prevZxid()).entries(p.entries()).l(p.committedZxid());
        } else if (m instanceof Commit c) {
            w.b(COMMIT).head(c).l(c.epoch()).l(c.zxid());
        } else if (m instanceof Inform i) {
            w.b(INFORM).head(i).l(i.epoch()).l(i.prevZxid()).entries(i.entries()).l(i.committedZxid());
        } else if (m instanceof Ping p) {
            w.b(PING).head(p).l(p.epoch()).l(p.committedZxid()).l(p.readSeq());
        } else if (m instanceof PingAck p) {
            w.b(PING_ACK).head(p).l(p.epoch()).l(p.currentEpoch()).l(p.lastZxid()).l(p.readSeq());
        } else if (m instanceof NeedSnapshot s) {
            w.b(NEED_SNAPSHOT).head(s).l(s.epoch());
        } else if (m instanceof Elect e) {
            w.b(ELECT).head(e).l(e.epoch()).l(e.target()).l(e.zxid()).l(e.targetEpoch()).l(e.round());
        } else {
            throw new IllegalArgumentException("unknown ZAB message " + m);
        }
        return w.toBytes();
    }

    @Override
    public Message decode(byte[] bytes) throws MalformedMessageException {
        if (bytes == null) {
            throw new MalformedMessageException("null frame");
        }
        try {
            Reader r = new Reader(ByteBuffer.wrap(bytes));
            byte version = r.b();
            if (version != VERSION) {
                throw new MalformedMessageException("unsupported ZAB wire version " + version + " (expected " + VERSION + ")");
            }
            byte type = r.b();
            long from = r.id("from");
            long to = r.id("to");
            Message m = switch (type) {
                case NOTIFICATION -> r.notification(from, to);
                case FOLLOWER_INFO -> new FollowerInfo(from, to, r.l(), r.l(), r.bool());
                case LEADER_INFO -> new LeaderInfo(from, to, r.l());
                case ACK_EPOCH -> new AckEpoch(from, to, r.l(), r.l(), r.l(), r.bool());
                case NEW_LEADER -> new NewLeader(from, to, r.l(), r.mode(), r.l(), r.snapshot(), r.l(), r.entries(), r.l());
                case ACK -> new Ack(from, to, r.l(), r.l());
                case UP_TO_DATE -> new UpToDate(from, to, r.l(), r.l());
                case PROPOSE -> new Propose(from, to, r.l(), r.l(), r.entries(), r.l());
                case COMMIT -> new Commit(from, to, r.l(), r.l());
                case INFORM -> new Inform(from, to, r.l(), r.l(), r.entries(), r.l());
                case PING -> new Ping(from, to, r.l(), r.l(), r.l());
                case PING_ACK -> new PingAck(from, to, r.l(), r.l(), r.l(), r.l());
                case NEED_SNAPSHOT -> new NeedSnapshot(from, to, r.l());
                case ELECT -> new Elect(from, to, r.l(), r.l(), r.l(), r.l(), r.l());
                default -> throw new MalformedMessageException("unknown ZAB message type " + type);
            };
            if (r.buf.hasRemaining()) {
                throw new MalformedMessageException("trailing " + r.buf.remaining() + " bytes after ZAB message type " + type);
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("truncated ZAB message (" + bytes.length + " bytes)");
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("invalid ZAB message: " + e.getMessage());
        }
    }

    /**
     * The encoded size of a message that carries entries or a snapshot (64 for the others, which are
     * smaller, but for a notification's configuration, which grows the buffer once): a
     * snapshot of hundreds of MiB is then written into one buffer of its final size, which {@link Writer#toBytes}
     * returns without a copy, not doubled into one twice its size and copied again (a 200 MiB state ran a leader
     * with a 1.4 GiB heap out of memory).
     */
    private static int sizeOf(ZabMessage m) {
        long size = 64;
        if (m instanceof NewLeader nl) {
            size = 1 + 1 + 16 + 8 + 1 + 8 + snapshotSize(nl.snapshot()) + 8 + entriesSize(nl.entries()) + 8;
        } else if (m instanceof Propose p) {
            size = 1 + 1 + 16 + 8 + 8 + entriesSize(p.entries()) + 8;
        } else if (m instanceof Inform in) {
            size = 1 + 1 + 16 + 8 + 8 + entriesSize(in.entries()) + 8;
        }
        return (int) Math.min(size, Integer.MAX_VALUE - 16);
    }

    private static long snapshotSize(Snapshot s) {
        return s == null ? 1 : 1 + 8 + 8 + 4 + MembershipCodec.encode(s.membership()).length + 4 + s.data().length;
    }

    private static long entriesSize(List<LogEntry> entries) {
        long size = 4;
        for (LogEntry e : entries) {
            size += 8 + 8 + 1 + 4 + e.data().length;
        }
        return size;
    }

    private static final class Writer {
        private ByteBuffer buf;

        Writer(int capacity) {
            buf = ByteBuffer.allocate(Math.max(16, capacity));
        }

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer b(byte v) {
            ensure(1);
            buf.put(v);
            return this;
        }

        Writer l(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer i(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer bytes(byte[] v) {
            i(v.length);
            ensure(v.length);
            buf.put(v);
            return this;
        }

        Writer head(ZabMessage m) {
            return l(m.from()).l(m.to());
        }

        Writer entries(List<LogEntry> entries) {
            i(entries.size());
            for (LogEntry e : entries) {
                l(e.index()).l(e.term()).b((byte) e.type().ordinal()).bytes(e.data());
            }
            return this;
        }

        Writer config(Membership config) {
            return b((byte) 1).bytes(MembershipCodec.encode(config));
        }

        Writer snapshot(Snapshot s) {
            if (s == null) {
                return b((byte) 0);
            }
            b((byte) 1).l(s.index()).l(s.term()).bytes(MembershipCodec.encode(s.membership())).bytes(s.data());
            return this;
        }

        byte[] toBytes() {
            if (buf.position() == buf.capacity()) {
                return buf.array(); // sized exactly by sizeOf: no second copy of a snapshot
            }
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }

    private static final class Reader {
        private final ByteBuffer buf;

        Reader(ByteBuffer buf) {
            this.buf = buf;
        }

        byte b() {
            return buf.get();
        }

        long l() {
            return buf.getLong();
        }

        long id(String field) throws MalformedMessageException {
            long v = buf.getLong();
            if (v < 0) {
                throw new MalformedMessageException("negative member id in field '" + field + "': " + v);
            }
            return v;
        }

        boolean bool() throws MalformedMessageException {
            byte v = buf.get();
            if (v != 0 && v != 1) {
                throw new MalformedMessageException("boolean field must be 0 or 1, got " + v);
            }
            return v == 1;
        }

        ServerState state() throws MalformedMessageException {
            int v = buf.get();
            ServerState[] all = ServerState.values();
            if (v < 0 || v >= all.length) {
                throw new MalformedMessageException("unknown server state " + v);
            }
            return all[v];
        }

        SyncPlan.Mode mode() throws MalformedMessageException {
            int v = buf.get();
            SyncPlan.Mode[] all = SyncPlan.Mode.values();
            if (v < 0 || v >= all.length) {
                throw new MalformedMessageException("unknown sync mode " + v);
            }
            return all[v];
        }

        byte[] bytes(String field) throws MalformedMessageException {
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new MalformedMessageException("length of '" + field + "' out of range: " + len
                        + " (" + buf.remaining() + " bytes left)");
            }
            byte[] out = new byte[len];
            buf.get(out);
            return out;
        }

        List<LogEntry> entries() throws MalformedMessageException {
            int count = buf.getInt();
            if (count < 0 || (long) count * ENTRY_HEADER > buf.remaining()) {
                throw new MalformedMessageException("entry count out of range: " + count);
            }
            List<LogEntry> out = new ArrayList<>(count);
            EntryType[] types = EntryType.values();
            long prev = Long.MIN_VALUE;
            for (int k = 0; k < count; k++) {
                long index = buf.getLong();
                long term = buf.getLong();
                int type = buf.get();
                if (type < 0 || type >= types.length) {
                    throw new MalformedMessageException("unknown entry type " + type + " in entry " + k);
                }
                if (index <= prev) {
                    throw new MalformedMessageException("entries not in ascending zxid order at entry " + k);
                }
                prev = index;
                out.add(new LogEntry(index, term, types[type], bytes("entry data")));
            }
            return out;
        }

        /**
         * A notification; its configuration and version follow only when the sender sent one (LEADING and FOLLOWING
         * servers do), so the shorter form of a looker, or of a node of the previous version, still reads.
         */
        Notification notification(long from, long to) throws MalformedMessageException {
            long leader = l();
            long zxid = l();
            long peerEpoch = l();
            long round = l();
            ServerState state = state();
            long designated = l();
            if (!buf.hasRemaining()) {
                return new Notification(from, to, leader, zxid, peerEpoch, round, state, designated);
            }
            long configVersion = l();
            Membership config = bool() ? MembershipCodec.decode(bytes("notification configuration")) : null;
            return new Notification(from, to, leader, zxid, peerEpoch, round, state, designated, configVersion, config);
        }

        Snapshot snapshot() throws MalformedMessageException {
            boolean present = bool();
            if (!present) {
                return null;
            }
            long index = buf.getLong();
            long term = buf.getLong();
            Membership membership = MembershipCodec.decode(bytes("snapshot membership"));
            return new Snapshot(index, term, membership, bytes("snapshot data"));
        }
    }
}
