package dev.ballot.etcd;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the etcd API needs from the node it runs in: the replicated state machine behind the log, and who
 * leads. The node implements it over its driver; every function given here runs on the driver thread.
 * Futures fail with {@link EtcdError.Failure} ({@code NOT_LEADER} when this node cannot serve the call
 * itself: the API then forwards it to the leader).
 */
public interface EtcdBackend {
    /** One member as etcd's MemberList shows it. */
    record Member(long id, String name, String peerUrl, String clientUrl, boolean learner) {
    }

    /** This member's engine id (etcd's member_id). */
    long memberId();

    /** etcd's numeric cluster_id, derived from Ballot's cluster id. */
    long clusterId();

    long term();

    /** 0 when no leader is known. */
    long leaderId();

    /** Completes with the leader this node sees once it is no longer {@code leaderId} (0: once any is known). */
    CompletableFuture<Long> leaderChangeFrom(long leaderId);

    /** Where the member's etcd API listens (host:port), or null when unknown. */
    String etcdTarget(long memberId);

    List<Member> members();

    /** The last log index and the applied one (Maintenance.Status). */
    long raftIndex();

    long newRequestId();

    CompletableFuture<EtcdResult> propose(EtcdCommand command);

    <T> CompletableFuture<T> readLinearizable(Function<EtcdStateMachine, T> query);

    <T> CompletableFuture<T> readLocal(Function<EtcdStateMachine, T> query);

    default boolean isLeader() {
        return leaderId() == memberId();
    }
}
