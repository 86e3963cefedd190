package dev.ballot.node.zookeeper;

import dev.ballot.engine.LogEntry;
import dev.ballot.node.server.ReplicatedStateMachine;
import dev.ballot.zookeeper.DataTree;
import dev.ballot.zookeeper.TxnResult;

/**
 * ZooKeeper's data tree as the runtime's state machine (ZAB clusters whose zoo.cfg names a client port). Session
 * expiry is decided by the leader's {@link dev.ballot.zookeeper.ZkServer} and proposed as closeSession txns, so
 * this machine needs no timer of its own.
 */
public final class ZooKeeperMachine implements ReplicatedStateMachine<TxnResult> {
    private final DataTree tree = new DataTree();

    public DataTree tree() {
        return tree;
    }

    @Override
    public TxnResult apply(LogEntry entry) {
        return tree.apply(entry);
    }

    public static final String KIND = "zookeeper";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public long requestId(TxnResult result) {
        return result.requestId();
    }

    @Override
    public byte[] snapshot() {
        return tree.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
        tree.restore(snapshot);
    }
}
