package dev.ballot.node.etcd;

import dev.ballot.engine.LogEntry;
import dev.ballot.etcd.EtcdResult;
import dev.ballot.etcd.EtcdStateMachine;
import dev.ballot.node.server.ReplicatedStateMachine;

/** etcd's MVCC store and leases as the runtime's state machine; lease expiry runs on the leader's ticks. */
public final class EtcdMachine implements ReplicatedStateMachine<EtcdResult> {
    private final EtcdStateMachine etcd = new EtcdStateMachine();

    public EtcdMachine() {
        EtcdStateMachine.warmUp(); // class loading before the driver runs, not on its first client request
    }

    public EtcdStateMachine etcd() {
        return etcd;
    }

    @Override
    public EtcdResult apply(LogEntry entry) {
        return etcd.apply(entry);
    }

    public static final String KIND = "etcd";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public long requestId(EtcdResult result) {
        return result.requestId();
    }

    @Override
    public byte[] snapshot() {
        return etcd.snapshot();
    }

    @Override
    public void restore(byte[] snapshot) {
        etcd.restore(snapshot);
    }

    @Override
    public void onTick(Driver driver) {
        etcd.tick(driver.isLeader(), driver.term(), driver.nowNanos(), new EtcdStateMachine.Proposer() {
            @Override
            public long newRequestId() {
                return driver.newRequestId();
            }

            @Override
            public boolean propose(byte[] command) {
                return driver.propose(command);
            }
        });
    }
}
