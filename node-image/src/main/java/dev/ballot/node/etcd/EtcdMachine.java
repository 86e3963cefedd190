package dev.ballot.node.etcd;

import dev.ballot.etcd.EtcdResult;
import dev.ballot.etcd.EtcdStateMachine;
import dev.ballot.node.server.EngineMachine;
import dev.ballot.node.server.QuotaState;

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

    /** The quota and the NOSPACE alarm, for {@code /v1/status} and the metrics. Any thread (the figures are volatile). */
    public QuotaState quotaState() {
        return new QuotaState(machine().noSpaceAlarm(), machine().usedBytes(), machine().quotaBytes());
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
