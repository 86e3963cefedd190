package dev.ballot.node.zookeeper;

import dev.ballot.node.server.EngineMachine;
import dev.ballot.zookeeper.DataTree;
import dev.ballot.zookeeper.TxnResult;

/**
 * ZooKeeper's data tree as the runtime's state machine (ZAB clusters whose zoo.cfg names a client port). Session
 * expiry is decided by the leader's {@link dev.ballot.zookeeper.ZkServer} and proposed as closeSession txns, so
 * this machine needs no timer of its own.
 */
public final class ZooKeeperMachine extends EngineMachine<DataTree, TxnResult> {
    public ZooKeeperMachine() {
        super(new DataTree(), TxnResult::requestId);
    }

    public DataTree tree() {
        return machine();
    }
}
