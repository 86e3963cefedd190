package dev.ballot.etcd;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.kv.StateMachine;
import dev.ballot.etcd.mvcc.LeaseTable;
import dev.ballot.etcd.mvcc.MvccStore;
import dev.ballot.etcd.mvcc.StoreSnapshot;
import io.etcd.jetcd.api.AlarmMember;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmResponse;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.CompactionResponse;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrantResponse;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseRevokeResponse;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.TxnRequest;

import java.util.List;

/**
 * etcd's server-side state as one replicated state machine: the MVCC store and the lease table, changed only
 * by committed {@link EtcdCommand}s, plus the leader's volatile lease clock. Driver thread only.
 */
public final class EtcdStateMachine implements StateMachine<EtcdResult> {
    /** The shortest lease etcd grants with its default timing (1.5 election timeouts, rounded up). */
    public static final long MIN_TTL = 2;
    public static final long MAX_TTL = 9_000_000_000L;

    private final LeaseTable leases = new LeaseTable();
    private final MvccStore store = new MvccStore(leases);
    private final LeaseClock clock = new LeaseClock();
    private final long quotaBytes;
    /**
     * etcd's NOSPACE alarm. Raised by the entry whose write would pass the quota, cleared by an {@code ALARM}
     * DEACTIVATE entry (etcdctl alarm disarm): both decided in apply, so every member raises and clears it at the
     * same index, and it is part of snapshots (it survives restarts). While raised every write that could add data
     * (put, a txn with a put, lease grant) is refused, as etcd's capped applier does. Volatile: /v1/status and the
     * metrics read it from other threads.
     */
    private volatile boolean noSpaceAlarm;
    /** {@link MvccStore#bytes} after the last applied entry, for other threads (status, metrics). */
    private volatile long usedBytes;
    private long appliedIndex;
    private long appliedTerm;
    /**
     * This member's memo of the last results by request id: volatile, not replicated (results are the same on
     * every member). It settles a write whose leader was lost while it waited (see {@link #afterTerm}).
     */
    private final java.util.LinkedHashMap<Long, EtcdResult> recent = new java.util.LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Long, EtcdResult> eldest) {
            return size() > RECENT_RESULTS;
        }
    };
    static final int RECENT_RESULTS = 8192;

    /** Called once an entry of a later term is applied; {@code known} is false after a snapshot install. */
    public interface TermWaiter {
        void settled(boolean known);
    }

    /** Without a quota. */
    public EtcdStateMachine() {
        this(Long.MAX_VALUE);
    }

    /**
     * @param quotaBytes the store's quota (keys and values of every version kept; {@link MvccStore#bytes}): a put or
     *                   txn that would grow it past this is refused with {@link EtcdError#NO_SPACE} on every member
     *                   alike (decided when applied); deletes and compaction always work and free space
     */
    public EtcdStateMachine(long quotaBytes) {
        this.quotaBytes = quotaBytes;
    }

    public long quotaBytes() {
        return quotaBytes;
    }

    /** The NOSPACE alarm (any thread). */
    public boolean noSpaceAlarm() {
        return noSpaceAlarm;
    }

    /** What the quota counts, after the last applied entry (any thread). */
    public long usedBytes() {
        return usedBytes;
    }

    public MvccStore store() {
        return store;
    }

    public LeaseTable leases() {
        return leases;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public EtcdResult apply(LogEntry entry) {
        appliedIndex = entry.index();
        EtcdResult result = applyCommand(entry);
        usedBytes = store.bytes();
        if (result != null && result.requestId() != 0) {
            recent.put(result.requestId(), result);
        }
        if (entry.term() > appliedTerm) {
            appliedTerm = entry.term();
            settleWaiters(true);
        }
        return result;
    }

    private EtcdResult applyCommand(LogEntry entry) {
        if (entry.type() != EntryType.COMMAND) {
            return null;
        }
        EtcdCommand cmd;
        try {
            cmd = EtcdCommand.decode(entry.data());
        } catch (MalformedMessageException e) {
            // Every member skips the same bytes the same way.
            return new EtcdResult(0, null, EtcdError.NOT_CAPABLE);
        }
        try {
            return new EtcdResult(cmd.requestId(), execute(cmd), null);
        } catch (EtcdError.Failure f) {
            return new EtcdResult(cmd.requestId(), null, f.error());
        }
    }

    private Message execute(EtcdCommand cmd) {
        switch (QuotaCheck.decide(cmd.kind(), growth(cmd), store.bytes(), quotaBytes, noSpaceAlarm)) {
            case RAISE -> {
                noSpaceAlarm = true;
                throw EtcdError.NO_SPACE.failure();
            }
            case REFUSE -> throw EtcdError.NO_SPACE.failure();
            case ALLOW -> {
            }
        }
        return switch (cmd.kind()) {
            case PUT -> store.put((PutRequest) cmd.request());
            case DELETE_RANGE -> store.deleteRange((DeleteRangeRequest) cmd.request());
            case TXN -> store.txn((TxnRequest) cmd.request());
            case COMPACT -> {
                store.compact(((CompactionRequest) cmd.request()).getRevision());
                yield CompactionResponse.newBuilder().setHeader(header()).build();
            }
            case LEASE_GRANT -> {
                LeaseGrantRequest g = (LeaseGrantRequest) cmd.request();
                if (leases.exists(g.getID())) {
                    throw EtcdError.LEASE_EXIST.failure();
                }
                leases.grant(g.getID(), g.getTTL());
                clock.granted(g.getID(), g.getTTL(), System.nanoTime());
                yield LeaseGrantResponse.newBuilder().setHeader(header()).setID(g.getID()).setTTL(g.getTTL()).build();
            }
            case LEASE_REVOKE, LEASE_EXPIRE -> {
                long id = ((LeaseRevokeRequest) cmd.request()).getID();
                LeaseTable.Lease l = leases.remove(id);
                clock.removed(id);
                if (l == null) {
                    if (cmd.kind() == EtcdCommand.Kind.LEASE_REVOKE) {
                        throw EtcdError.LEASE_NOT_FOUND.failure();
                    }
                } else {
                    store.deleteKeys(l.keys());
                }
                yield LeaseRevokeResponse.newBuilder().setHeader(header()).build();
            }
            case ALARM -> alarm((AlarmRequest) cmd.request());
        };
    }

    /**
     * etcd's Maintenance.Alarm ACTIVATE and DEACTIVATE (GET is a read, {@link #alarms}). Only NOSPACE exists here;
     * a DEACTIVATE answers the alarm it cleared (none when none was raised), whichever member it names, since every
     * member's store is the same one. Disarming while still past the quota is allowed, as in etcd: the next write
     * that does not fit raises it again.
     */
    private AlarmResponse alarm(AlarmRequest r) {
        AlarmResponse.Builder out = AlarmResponse.newBuilder().setHeader(header());
        if (r.getAlarm() != AlarmType.NOSPACE) {
            if (r.getAction() == AlarmRequest.AlarmAction.ACTIVATE) {
                throw EtcdError.NOT_CAPABLE.failure(); // no CORRUPT check here: nothing would ever raise it
            }
            return out.build();
        }
        boolean was = noSpaceAlarm;
        switch (r.getAction()) {
            case ACTIVATE -> noSpaceAlarm = true;
            case DEACTIVATE -> noSpaceAlarm = false;
            default -> {
            }
        }
        if (was != noSpaceAlarm || r.getAction() == AlarmRequest.AlarmAction.ACTIVATE) {
            out.addAlarms(AlarmMember.newBuilder().setMemberID(r.getMemberID()).setAlarm(AlarmType.NOSPACE));
        }
        return out.build();
    }

    /** Maintenance.Alarm GET: NOSPACE under each of {@code memberIds} while raised (they all hold this same store). */
    public AlarmResponse alarms(Iterable<Long> memberIds) {
        AlarmResponse.Builder out = AlarmResponse.newBuilder().setHeader(header());
        if (noSpaceAlarm) {
            memberIds.forEach(id -> out.addAlarms(AlarmMember.newBuilder().setMemberID(id).setAlarm(AlarmType.NOSPACE)));
        }
        return out.build();
    }

    /**
     * Runs every kind of command once on a scratch machine, so that loading and initialising the protobuf
     * classes (hundreds of ms on a busy 2-core machine) happens before the node's driver thread starts,
     * not on it during the first client request, where it stalled ticks long enough to cost an election.
     */
    public static void warmUp() {
        EtcdStateMachine sm = new EtcdStateMachine();
        com.google.protobuf.ByteString k = com.google.protobuf.ByteString.copyFromUtf8("warm");
        io.etcd.jetcd.api.RangeRequest range = io.etcd.jetcd.api.RangeRequest.newBuilder().setKey(k)
                .setRangeEnd(com.google.protobuf.ByteString.copyFromUtf8("warn"))
                .setSortTarget(io.etcd.jetcd.api.RangeRequest.SortTarget.CREATE)
                .setSortOrder(io.etcd.jetcd.api.RangeRequest.SortOrder.DESCEND).build();
        Message[] requests = {
            LeaseGrantRequest.newBuilder().setID(1).setTTL(5).build(),
            PutRequest.newBuilder().setKey(k).setLease(1).setPrevKv(true).build(),
            TxnRequest.newBuilder()
                    .addCompare(io.etcd.jetcd.api.Compare.newBuilder().setKey(k).setTarget(io.etcd.jetcd.api.Compare.CompareTarget.MOD))
                    .addSuccess(io.etcd.jetcd.api.RequestOp.newBuilder().setRequestRange(range))
                    .addFailure(io.etcd.jetcd.api.RequestOp.newBuilder().setRequestDeleteRange(
                            DeleteRangeRequest.newBuilder().setKey(k).setPrevKv(true)))
                    .build(),
            CompactionRequest.newBuilder().setRevision(2).build(),
            LeaseRevokeRequest.newBuilder().setID(1).build(),
        };
        EtcdCommand.Kind[] kinds = {EtcdCommand.Kind.LEASE_GRANT, EtcdCommand.Kind.PUT, EtcdCommand.Kind.TXN,
            EtcdCommand.Kind.COMPACT, EtcdCommand.Kind.LEASE_REVOKE};
        for (int i = 0; i < kinds.length; i++) {
            sm.apply(new LogEntry(i + 1, 1, EntryType.COMMAND, new EtcdCommand(kinds[i], i, requests[i]).encode()));
        }
        sm.store().range(range);
        sm.store().eventsSince(1, k, com.google.protobuf.ByteString.EMPTY);
        sm.restore(sm.snapshot());
    }

    /**
     * What the command can add at most: every put's key and value (a delete's tombstone is free). Like etcd's quota
     * cost, positive for exactly the writes its capped applier refuses while NOSPACE stands (a lease grant is counted
     * as 1: it adds a lease, although the quota counts keys and values only).
     */
    private static long growth(EtcdCommand cmd) {
        return switch (cmd.kind()) {
            case LEASE_GRANT -> 1;
            case PUT -> putBytes((PutRequest) cmd.request());
            case TXN -> {
                TxnRequest t = (TxnRequest) cmd.request();
                yield Math.max(opsBytes(t.getSuccessList()), opsBytes(t.getFailureList()));
            }
            default -> 0;
        };
    }

    private static long opsBytes(List<io.etcd.jetcd.api.RequestOp> ops) {
        long n = 0;
        for (io.etcd.jetcd.api.RequestOp op : ops) {
            if (op.hasRequestPut()) {
                n += putBytes(op.getRequestPut());
            } else if (op.hasRequestTxn()) {
                n += Math.max(opsBytes(op.getRequestTxn().getSuccessList()), opsBytes(op.getRequestTxn().getFailureList()));
            }
        }
        return n;
    }

    private static long putBytes(PutRequest p) {
        return p.getKey().size() + (long) p.getValue().size();
    }

    private ResponseHeader header() {
        return ResponseHeader.newBuilder().setRevision(store.currentRevision()).build();
    }

    @Override
    public byte[] snapshot() {
        return StoreSnapshot.write(store, leases, appliedIndex, noSpaceAlarm);
    }

    @Override
    public void restore(byte[] snapshot) {
        StoreSnapshot.Restored restored = StoreSnapshot.read(snapshot, store, leases);
        appliedIndex = restored.appliedIndex();
        noSpaceAlarm = restored.noSpaceAlarm();
        usedBytes = store.bytes();
        clock.clear();
        recent.clear();
        for (Waiting w : List.copyOf(waiting)) {
            w.waiter().settled(false); // the entries in between were not seen here: outcome unknown
        }
        waiting.clear();
    }

    private record Waiting(long term, TermWaiter waiter) {
    }

    private final List<Waiting> waiting = new java.util.ArrayList<>();

    /**
     * Runs {@code waiter} once this member has applied an entry of a term after {@code term}. By then a write
     * proposed in {@code term} has been applied here if it ever will be (a new leader commits its own entry
     * after every older one it kept; anything else of the old term is gone), so {@link #recentResult} tells.
     */
    public void afterTerm(long term, TermWaiter waiter) {
        if (appliedTerm > term) {
            waiter.settled(true);
        } else {
            waiting.add(new Waiting(term, waiter));
        }
    }

    private void settleWaiters(boolean known) {
        if (waiting.isEmpty()) {
            return;
        }
        List<Waiting> due = waiting.stream().filter(w -> appliedTerm > w.term()).toList();
        waiting.removeAll(due);
        due.forEach(w -> w.waiter().settled(known));
    }

    /** The result this member applied for {@code requestId} recently, or null. */
    public EtcdResult recentResult(long requestId) {
        return recent.get(requestId);
    }

    /** Leader-only: expire leases whose deadline passed, by proposing through the log. */
    public void tick(boolean isLeader, long term, long nowNanos, Proposer proposer) {
        clock.tick(leases, isLeader, term, nowNanos, id -> proposer.propose(new EtcdCommand(EtcdCommand.Kind.LEASE_EXPIRE,
                proposer.newRequestId(), LeaseRevokeRequest.newBuilder().setID(id).build()).encode()));
    }

    /** A keep-alive reaching the leader: the TTL, or 0 for a lease that does not exist. */
    public long renew(long leaseId, long nowNanos) {
        return clock.renew(leases, leaseId, nowNanos);
    }

    /** Seconds the leader gives the lease still, -1 when this node does not lead or the lease is unknown. */
    public long remaining(long leaseId, long nowNanos) {
        return clock.leading() ? clock.remaining(leaseId, nowNanos) : -1;
    }

    public boolean leadingLeases() {
        return clock.leading();
    }

    /** How a leader-side timer proposes. */
    public interface Proposer {
        long newRequestId();

        boolean propose(byte[] command);
    }

    /** Keys attached to a lease, for time-to-live with keys. */
    public Iterable<ByteString> leaseKeys(long id) {
        LeaseTable.Lease l = leases.get(id);
        return l == null ? List.of() : l.keys();
    }
}
