package dev.ballot.engine.raft;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.Snapshot;
import dev.ballot.engine.raft.RaftMessage.AppendEntries;
import dev.ballot.engine.raft.RaftMessage.AppendResponse;
import dev.ballot.engine.raft.RaftMessage.Heartbeat;
import dev.ballot.engine.raft.RaftMessage.HeartbeatResponse;
import dev.ballot.engine.raft.RaftMessage.InstallSnapshot;
import dev.ballot.engine.raft.RaftMessage.RequestVote;
import dev.ballot.engine.raft.RaftMessage.TimeoutNow;
import dev.ballot.engine.raft.RaftMessage.VoteResponse;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Raft messages on the wire: version byte, type byte, from, to, term, then the type's fields, big-endian.
 * Decoding checks every length against what is left and every value against its range, so hostile bytes end
 * in {@link MalformedMessageException} and nothing else.
 */
public final class RaftCodec implements MessageCodec {
    public static final byte VERSION = 1;
    /**
     * Largest entry payload accepted from a peer. A snapshot's data is bounded only by the message that holds it: the
     * node's transport sends a large message in chunks (docs/node-api.md, Catching up), so a state past 64 MiB must
     * still decode, or a new member could never join it.
     */
    public static final int MAX_PAYLOAD_BYTES = 64 << 20;
    private static final int HEADER = 1 + 1 + 8 + 8 + 8;
    private static final int ENTRY_HEADER = 8 + 8 + 1 + 4;

    private static final byte REQUEST_VOTE = 1;
    private static final byte VOTE_RESPONSE = 2;
    private static final byte APPEND_ENTRIES = 3;
    private static final byte APPEND_RESPONSE = 4;
    private static final byte HEARTBEAT = 5;
    private static final byte HEARTBEAT_RESPONSE = 6;
    private static final byte INSTALL_SNAPSHOT = 7;
    private static final byte TIMEOUT_NOW = 8;

    @Override
    public byte[] encode(Message message) {
        if (!(message instanceof RaftMessage m)) {
            throw new IllegalArgumentException("not a Raft message: " + message);
        }
        if (m instanceof RequestVote rv) {
            return header(REQUEST_VOTE, m, 8 + 8 + 1).putLong(rv.lastLogIndex()).putLong(rv.lastLogTerm())
                    .put((byte) ((rv.preVote() ? 1 : 0) | (rv.transfer() ? 2 : 0))).array();
        }
        if (m instanceof VoteResponse vr) {
            return header(VOTE_RESPONSE, m, 1)
                    .put((byte) ((vr.preVote() ? 1 : 0) | (vr.granted() ? 2 : 0))).array();
        }
        if (m instanceof AppendEntries ae) {
            int size = 8 + 8 + 8 + 4;
            for (LogEntry e : ae.entries()) {
                size += ENTRY_HEADER + e.data().length;
            }
            ByteBuffer buf = header(APPEND_ENTRIES, m, size).putLong(ae.prevIndex()).putLong(ae.prevTerm())
                    .putLong(ae.commit()).putInt(ae.entries().size());
            for (LogEntry e : ae.entries()) {
                buf.putLong(e.index()).putLong(e.term()).put((byte) e.type().ordinal()).putInt(e.data().length)
                        .put(e.data());
            }
            return buf.array();
        }
        if (m instanceof AppendResponse ar) {
            return header(APPEND_RESPONSE, m, 1 + 8 + 8 + 8).put((byte) (ar.reject() ? 1 : 0)).putLong(ar.index())
                    .putLong(ar.rejectHint()).putLong(ar.hintTerm()).array();
        }
        if (m instanceof Heartbeat hb) {
            return header(HEARTBEAT, m, 16).putLong(hb.commit()).putLong(hb.context()).array();
        }
        if (m instanceof HeartbeatResponse hr) {
            return header(HEARTBEAT_RESPONSE, m, 8).putLong(hr.context()).array();
        }
        if (m instanceof InstallSnapshot is) {
            Snapshot s = is.snapshot();
            byte[] members = MembershipCodec.encode(s.membership());
            return header(INSTALL_SNAPSHOT, m, 8 + 8 + 4 + members.length + 4 + s.data().length)
                    .putLong(s.index()).putLong(s.term()).putInt(members.length).put(members)
                    .putInt(s.data().length).put(s.data()).array();
        }
        if (m instanceof TimeoutNow) {
            return header(TIMEOUT_NOW, m, 0).array();
        }
        throw new IllegalArgumentException("unknown Raft message " + m);
    }

    private static ByteBuffer header(byte type, RaftMessage m, int bodySize) {
        return ByteBuffer.allocate(HEADER + bodySize).put(VERSION).put(type).putLong(m.from()).putLong(m.to())
                .putLong(m.term());
    }

    @Override
    public RaftMessage decode(byte[] bytes) throws MalformedMessageException {
        if (bytes == null) {
            throw new MalformedMessageException("no bytes");
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            byte version = buf.get();
            if (version != VERSION) {
                throw new MalformedMessageException("unsupported Raft wire version " + version + " (expected " + VERSION + ")");
            }
            byte type = buf.get();
            long from = positive(buf.getLong(), "from");
            long to = positive(buf.getLong(), "to");
            long term = nonNegative(buf.getLong(), "term");
            RaftMessage m = switch (type) {
                case REQUEST_VOTE -> {
                    long lastIndex = nonNegative(buf.getLong(), "lastLogIndex");
                    long lastTerm = nonNegative(buf.getLong(), "lastLogTerm");
                    int flags = flags(buf.get(), 3);
                    yield new RequestVote(from, to, term, lastIndex, lastTerm, (flags & 1) != 0, (flags & 2) != 0);
                }
                case VOTE_RESPONSE -> {
                    int flags = flags(buf.get(), 3);
                    yield new VoteResponse(from, to, term, (flags & 1) != 0, (flags & 2) != 0);
                }
                case APPEND_ENTRIES -> decodeAppend(buf, from, to, term);
                case APPEND_RESPONSE -> {
                    boolean reject = flags(buf.get(), 1) != 0;
                    yield new AppendResponse(from, to, term, reject, nonNegative(buf.getLong(), "index"),
                            nonNegative(buf.getLong(), "rejectHint"), nonNegative(buf.getLong(), "hintTerm"));
                }
                case HEARTBEAT -> new Heartbeat(from, to, term, nonNegative(buf.getLong(), "commit"),
                        nonNegative(buf.getLong(), "context"));
                case HEARTBEAT_RESPONSE -> new HeartbeatResponse(from, to, term, nonNegative(buf.getLong(), "context"));
                case INSTALL_SNAPSHOT -> decodeSnapshot(buf, from, to, term);
                case TIMEOUT_NOW -> new TimeoutNow(from, to, term);
                default -> throw new MalformedMessageException("unknown Raft message type " + type);
            };
            if (buf.hasRemaining()) {
                throw new MalformedMessageException(buf.remaining() + " trailing bytes after Raft message type " + type);
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new MalformedMessageException("truncated Raft message (" + bytes.length + " bytes)");
        }
    }

    private static AppendEntries decodeAppend(ByteBuffer buf, long from, long to, long term)
            throws MalformedMessageException {
        long prevIndex = nonNegative(buf.getLong(), "prevIndex");
        long prevTerm = nonNegative(buf.getLong(), "prevTerm");
        long commit = nonNegative(buf.getLong(), "commit");
        int count = buf.getInt();
        if (count < 0 || (long) count * ENTRY_HEADER > buf.remaining()) {
            throw new MalformedMessageException("entry count " + count + " does not fit in " + buf.remaining() + " bytes");
        }
        EntryType[] types = EntryType.values();
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = buf.getLong();
            if (index != prevIndex + 1 + i) {
                throw new MalformedMessageException("entry " + i + " has index " + index + ", expected " + (prevIndex + 1 + i));
            }
            long entryTerm = nonNegative(buf.getLong(), "entry term");
            int t = buf.get();
            if (t < 0 || t >= types.length) {
                throw new MalformedMessageException("unknown entry type " + t);
            }
            entries.add(new LogEntry(index, entryTerm, types[t], bytes(buf, "entry data")));
        }
        return new AppendEntries(from, to, term, prevIndex, prevTerm, commit, entries);
    }

    private static InstallSnapshot decodeSnapshot(ByteBuffer buf, long from, long to, long term)
            throws MalformedMessageException {
        long index = nonNegative(buf.getLong(), "snapshot index");
        long snapTerm = nonNegative(buf.getLong(), "snapshot term");
        Membership members = MembershipCodec.decode(bytes(buf, "snapshot membership"));
        byte[] data = bytes(buf, "snapshot data", Integer.MAX_VALUE);
        return new InstallSnapshot(from, to, term, new Snapshot(index, snapTerm, members, data));
    }

    private static byte[] bytes(ByteBuffer buf, String field) throws MalformedMessageException {
        return bytes(buf, field, MAX_PAYLOAD_BYTES);
    }

    private static byte[] bytes(ByteBuffer buf, String field, int max) throws MalformedMessageException {
        int len = buf.getInt();
        if (len < 0 || len > max || len > buf.remaining()) {
            throw new MalformedMessageException(field + " length " + len + " out of range (" + buf.remaining() + " bytes left)");
        }
        byte[] b = new byte[len];
        buf.get(b);
        return b;
    }

    private static int flags(byte b, int mask) throws MalformedMessageException {
        if ((b & ~mask) != 0) {
            throw new MalformedMessageException("unknown flag bits " + b);
        }
        return b;
    }

    private static long positive(long v, String field) throws MalformedMessageException {
        if (v <= 0) {
            throw new MalformedMessageException(field + " must be a positive member id, got " + v);
        }
        return v;
    }

    private static long nonNegative(long v, String field) throws MalformedMessageException {
        if (v < 0) {
            throw new MalformedMessageException(field + " must not be negative, got " + v);
        }
        return v;
    }
}
