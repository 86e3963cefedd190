package dev.ballot.node.server;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The cluster's identity as the log agreed on it: its UUID, the index of the entry that set it, and the ids of the
 * members known to have joined (their logs reached that entry). It lives beside the state machine, not in it, so
 * that every machine (the key-value map, etcd's MVCC store, ZooKeeper's data tree) and both protocols carry it:
 * {@link NodeRuntime} applies identity commands itself and keeps this state in its snapshots
 * ({@link IdentityEnvelope}). Immutable; applying returns the next state, deterministically on every member.
 *
 * <p>Commands start with {@link #TAG}, a first byte no machine's command starts with (the key-value map's start
 * with 0..2, etcd's with 0xE3, ZooKeeper's with 'Z'), then an op, the proposer's request id and the payload.
 */
public record ClusterIdentity(UUID uuid, long uuidIndex, Set<Long> joined) {
    public static final ClusterIdentity NONE = new ClusterIdentity(null, 0, Set.of());
    static final byte TAG = (byte) 0xB1;
    private static final byte SET_UUID = 1;
    private static final byte MARK_JOINED = 2;
    private static final byte FORCE_NEW = 3;

    public ClusterIdentity {
        joined = Set.copyOf(new TreeSet<>(joined));
    }

    /** True when {@code command} is an identity command (the runtime applies it, not the state machine). */
    public static boolean isCommand(byte[] command) {
        return command != null && command.length >= 10 && command[0] == TAG;
    }

    /** Sets the UUID if none is set yet (a compare-and-set from absent: two leaders in a row cannot both set it). */
    public static byte[] setUuid(long requestId, UUID uuid) {
        return ByteBuffer.allocate(10 + 16).put(TAG).put(SET_UUID).putLong(requestId)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
    }

    /** Marks {@code memberId} as joined, if {@code uuid} is still the cluster's. */
    public static byte[] markJoined(long requestId, UUID uuid, long memberId) {
        return ByteBuffer.allocate(10 + 16 + 8).put(TAG).put(MARK_JOINED).putLong(requestId)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).putLong(memberId).array();
    }

    /**
     * A new identity after a forced one-member configuration (quorum-loss recovery): a fresh UUID and only
     * {@code memberId} joined, so the members wiped and added again are never taken for ones that lost a volume.
     */
    public static byte[] forceNew(long requestId, UUID uuid, long memberId) {
        return ByteBuffer.allocate(10 + 16 + 8).put(TAG).put(FORCE_NEW).putLong(requestId)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).putLong(memberId).array();
    }

    /** The request id an identity command carries. */
    public static long requestId(byte[] command) {
        return ByteBuffer.wrap(command, 2, 8).getLong();
    }

    /** The state after the command committed at {@code index}; a malformed command changes nothing on any member. */
    public ClusterIdentity apply(long index, byte[] command) {
        if (!isCommand(command)) {
            return this;
        }
        ByteBuffer b = ByteBuffer.wrap(command, 10, command.length - 10);
        if (b.remaining() < 16) {
            return this;
        }
        UUID u = new UUID(b.getLong(), b.getLong());
        switch (command[1]) {
            case SET_UUID:
                return uuid != null ? this : new ClusterIdentity(u, index, Set.of());
            case MARK_JOINED:
                if (b.remaining() < 8 || !u.equals(uuid)) {
                    return this;
                }
                Set<Long> more = new TreeSet<>(joined);
                more.add(b.getLong());
                return new ClusterIdentity(uuid, uuidIndex, more);
            case FORCE_NEW:
                return b.remaining() < 8 ? this : new ClusterIdentity(u, index, Set.of(b.getLong()));
            default:
                return this;
        }
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 16 + 8 + 4 + 8 * joined.size());
        b.put((byte) (uuid == null ? 0 : 1));
        b.putLong(uuid == null ? 0 : uuid.getMostSignificantBits()).putLong(uuid == null ? 0 : uuid.getLeastSignificantBits());
        b.putLong(uuidIndex).putInt(joined.size());
        joined.forEach(b::putLong);
        return b.array();
    }

    static ClusterIdentity decode(ByteBuffer b) {
        boolean has = b.get() == 1;
        UUID u = new UUID(b.getLong(), b.getLong());
        long at = b.getLong();
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 8) {
            throw new IllegalArgumentException("identity lists " + n + " joined members in " + b.remaining() + " bytes");
        }
        Set<Long> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(b.getLong());
        }
        return new ClusterIdentity(has ? u : null, at, ids);
    }
}
