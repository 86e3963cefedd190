package dev.ballot.zookeeper;

import java.util.List;

/**
 * What applying one log entry did. Every replica computes the same result; the member that proposed it answers its
 * client with {@link #err} and {@link #response}, and every member fires the {@link #events} at its own watchers.
 *
 * @param requestId the proposal's id (0 for entries that are not ZooKeeper txns)
 * @param zxid      the entry's zxid
 * @param err       a ZooKeeper error code ({@link Err}), 0 when applied
 * @param response  the serialized response record for the client (empty when none or on error)
 * @param events    watch triggers, in order
 */
public record TxnResult(long requestId, long zxid, int type, long sessionId, int err, byte[] response,
                        List<WatchEvent> events) {
    public TxnResult {
        response = response == null ? new byte[0] : response;
        events = List.copyOf(events);
    }

    /** One watch trigger: ZooKeeper's Watcher.Event.EventType number and the znode's path. */
    public record WatchEvent(int type, String path) {
        public static final int NODE_CREATED = 1;
        public static final int NODE_DELETED = 2;
        public static final int NODE_DATA_CHANGED = 3;
        public static final int NODE_CHILDREN_CHANGED = 4;
    }
}
