package dev.ballot.node.zookeeper;

import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RequestFailure;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.zookeeper.Consensus;
import dev.ballot.zookeeper.Txn;
import dev.ballot.zookeeper.TxnResult;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** The ZooKeeper server's view of this member's runtime: its leader, proposals and read barriers. */
final class RuntimeConsensus implements Consensus {
    private final NodeRuntime<ZooKeeperMachine, TxnResult> runtime;

    RuntimeConsensus(NodeRuntime<ZooKeeperMachine, TxnResult> runtime) {
        this.runtime = runtime;
    }

    @Override
    public long selfId() {
        return runtime.id();
    }

    @Override
    public long leaderId() {
        return runtime.status().leaderId();
    }

    @Override
    public String role() {
        RuntimeStatus s = runtime.status();
        if (s.isLeader()) {
            return "leader";
        }
        if (s.node().role().toLowerCase(Locale.ROOT).startsWith("observ")) {
            return "observer";
        }
        return s.leaderId() != 0 ? "follower" : "looking";
    }

    @Override
    public CompletableFuture<Void> propose(byte[] txn) {
        Txn t = Txn.decode(txn);
        if (t == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("not a ZooKeeper txn"));
        }
        return translate(runtime.propose(t.requestId(), txn).thenApply(r -> null));
    }

    @Override
    public CompletableFuture<Long> readBarrier() {
        return translate(runtime.readLinearizable(m -> m.tree().lastZxid()));
    }

    private static <T> CompletableFuture<T> translate(CompletableFuture<T> f) {
        return f.handle((v, e) -> {
            if (e == null) {
                return v;
            }
            Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (c instanceof RequestFailure rf) {
                Refused.Kind kind = switch (rf.reason()) {
                    case NOT_LEADER -> Refused.Kind.NOT_LEADER;
                    case BUSY -> Refused.Kind.BUSY;
                    case OUTCOME_UNKNOWN -> Refused.Kind.OUTCOME_UNKNOWN;
                    case STOPPED -> Refused.Kind.STOPPED;
                };
                throw new Refused(kind, rf.getMessage());
            }
            throw new Refused(Refused.Kind.OUTCOME_UNKNOWN, String.valueOf(c));
        });
    }
}
