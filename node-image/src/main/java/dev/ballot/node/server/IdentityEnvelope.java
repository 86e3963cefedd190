package dev.ballot.node.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A stored or sent snapshot: the {@link ClusterIdentity} ahead of the state machine's own bytes, so that a member
 * that installs a snapshot (after compaction) or restarts from one keeps knowing who joined. A snapshot without
 * the magic (written before the identity moved out of the key-value machine, or restored from a backup, which
 * carries the machine's bytes only) has no identity: the cluster agrees on one again.
 */
public final class IdentityEnvelope {
    /** Eight bytes no machine's snapshot starts with in practice: "\xB1BALLOT" and a format version. */
    private static final byte[] MAGIC = {(byte) 0xB1, 'B', 'A', 'L', 'L', 'O', 'T', 1};

    /** The two parts of a snapshot. */
    public record Parts(ClusterIdentity identity, byte[] machine) {
    }

    private IdentityEnvelope() {
    }

    public static byte[] wrap(ClusterIdentity identity, byte[] machine) {
        byte[] id = identity.encode();
        return ByteBuffer.allocate(MAGIC.length + 4 + id.length + machine.length)
                .put(MAGIC).putInt(id.length).put(id).put(machine).array();
    }

    public static Parts unwrap(byte[] snapshot) {
        if (snapshot.length < MAGIC.length + 4 || !Arrays.equals(snapshot, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return new Parts(ClusterIdentity.NONE, snapshot);
        }
        ByteBuffer b = ByteBuffer.wrap(snapshot, MAGIC.length, snapshot.length - MAGIC.length);
        int idLength = b.getInt();
        if (idLength < 0 || idLength > b.remaining()) {
            throw new IllegalArgumentException("snapshot identity header claims " + idLength + " bytes, "
                    + b.remaining() + " remain");
        }
        ClusterIdentity identity = ClusterIdentity.decode(ByteBuffer.wrap(snapshot, MAGIC.length + 4, idLength).slice());
        int at = MAGIC.length + 4 + idLength;
        return new Parts(identity, Arrays.copyOfRange(snapshot, at, snapshot.length));
    }
}
