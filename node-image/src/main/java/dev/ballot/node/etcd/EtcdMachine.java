package dev.ballot.node.etcd;

import dev.ballot.etcd.EtcdResult;
import dev.ballot.etcd.EtcdStateMachine;
import dev.ballot.node.server.EngineMachine;

/** etcd's MVCC store and leases as the runtime's state machine; lease expiry runs on the leader's ticks. */
public final class EtcdMachine extends EngineMachine<EtcdStateMachine, EtcdResult> {
    public static final String KIND = "etcd";

    public EtcdMachine() {
        this(Long.MAX_VALUE);
    }

    /** @param quotaBytes the store's quota (quota_bytes; {@link Long#MAX_VALUE}: none), see EtcdStateMachine */
    public EtcdMachine(long quotaBytes) {
        super(new EtcdStateMachine(quotaBytes), EtcdResult::requestId);
        EtcdStateMachine.warmUp(); // class loading before the driver runs, not on its first client request
    }

    public EtcdStateMachine etcd() {
        return machine();
    }

    @Override
    public void onTick(Driver driver) {
        machine().tick(driver.isLeader(), driver.term(), driver.nowNanos(), new EtcdStateMachine.Proposer() {
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

    @Override
    public String kind() {
        return KIND;
    }
}
