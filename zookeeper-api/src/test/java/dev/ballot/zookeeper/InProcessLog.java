package dev.ballot.zookeeper;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A totally ordered log in one process, applied to every replica's tree at once: the consensus engine's contract
 * (one order, zxids epoch<<32|counter) without its network, so protocol tests run fast and deterministic.
 * {@link #elect} moves leadership (a new epoch), as a failover does.
 */
final class InProcessLog {
    private final List<DataTree> replicas = new CopyOnWriteArrayList<>();
    private volatile long leader = 1;
    private long epoch = 1;
    private long counter;

    synchronized DataTree replica() {
        DataTree t = new DataTree();
        replicas.add(t);
        return t;
    }

    synchronized void elect(long id) {
        leader = id;
        epoch++;
        counter = 0;
    }

    synchronized long append(byte[] data) {
        long zxid = (epoch << 32) | ++counter;
        LogEntry e = new LogEntry(zxid, epoch, EntryType.COMMAND, data);
        for (DataTree t : replicas) {
            t.apply(e);
        }
        return zxid;
    }

    Consensus member(long id, DataTree tree) {
        return new Consensus() {
            @Override
            public long selfId() {
                return id;
            }

            @Override
            public long leaderId() {
                return leader;
            }

            @Override
            public String role() {
                return leader == id ? "leader" : "follower";
            }

            @Override
            public CompletableFuture<Void> propose(byte[] txn) {
                if (leader != id) {
                    return CompletableFuture.failedFuture(new Refused(Refused.Kind.NOT_LEADER, "not the leader"));
                }
                append(txn);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Long> readBarrier() {
                if (leader != id) {
                    return CompletableFuture.failedFuture(new Refused(Refused.Kind.NOT_LEADER, "not the leader"));
                }
                return CompletableFuture.completedFuture(tree.lastZxid());
            }
        };
    }
}
