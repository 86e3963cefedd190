package dev.ballot.node.etcd;

import dev.ballot.engine.MemberKind;
import dev.ballot.etcd.EtcdBackend;
import dev.ballot.etcd.EtcdCommand;
import dev.ballot.etcd.EtcdError;
import dev.ballot.etcd.EtcdResult;
import dev.ballot.etcd.EtcdStateMachine;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RequestFailure;
import dev.ballot.node.server.RuntimeStatus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * The etcd API's view of this node: its driver (writes, reads), its status (leader, term) and its members.
 * Every member serves etcd on the same port as this one, on its peer host (as the conventions do for the
 * HTTP port), so that is where a follower forwards to.
 */
public final class NodeEtcdBackend implements EtcdBackend {
    private final NodeRuntime<EtcdMachine, EtcdResult> runtime;
    private final MemberDirectory directory;
    private final long clusterId;
    private final int etcdPort;
    /** "https" on a node with TLS: the URLs MemberList shows (etcdctl and jetcd dial what they are given). */
    private final String scheme;

    public NodeEtcdBackend(NodeRuntime<EtcdMachine, EtcdResult> runtime, MemberDirectory directory, String clusterId,
                           int etcdPort) {
        this(runtime, directory, clusterId, etcdPort, false);
    }

    public NodeEtcdBackend(NodeRuntime<EtcdMachine, EtcdResult> runtime, MemberDirectory directory, String clusterId,
                           int etcdPort, boolean tls) {
        this.scheme = tls ? "https://" : "http://";
        this.runtime = runtime;
        this.directory = directory;
        this.clusterId = numericClusterId(clusterId);
        this.etcdPort = etcdPort;
    }

    /** etcd's cluster ids are 64-bit numbers: the first 8 bytes of SHA-256 of Ballot's cluster id. */
    static long numericClusterId(String clusterId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(clusterId.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getLong() & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long memberId() {
        return runtime.id();
    }

    @Override
    public long clusterId() {
        return clusterId;
    }

    @Override
    public long term() {
        return runtime.status().node().term();
    }

    @Override
    public long leaderId() {
        return runtime.status().leaderId();
    }

    @Override
    public CompletableFuture<Long> leaderChangeFrom(long leaderId) {
        // Bounded: the caller's own deadline ends the request; this only ends the wait's listener. Completed or
        // cancelled early by the caller (a retry on a timer), the runtime's listener goes with it.
        CompletableFuture<RuntimeStatus> change = runtime.leaderChangeFrom(leaderId);
        CompletableFuture<Long> out = change.thenApply(RuntimeStatus::leaderId)
                .completeOnTimeout(0L, 10, java.util.concurrent.TimeUnit.SECONDS);
        out.whenComplete((l, t) -> change.cancel(false));
        return out;
    }

    @Override
    public String etcdTarget(long memberId) {
        return directory.byId(memberId).map(e -> hostPort(MemberDirectory.hostOfAddress(e.peerAddress()))).orElse(null);
    }

    private String hostPort(String host) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + etcdPort;
    }

    @Override
    public List<EtcdBackend.Member> members() {
        RuntimeStatus st = runtime.status();
        List<EtcdBackend.Member> out = new ArrayList<>();
        for (dev.ballot.engine.Member m : st.membership().members()) {
            String host = MemberDirectory.hostOfAddress(m.address());
            out.add(new EtcdBackend.Member(m.id(), directory.name(m.id()), scheme + m.address(),
                    scheme + hostPort(host), m.kind() != MemberKind.VOTER));
        }
        return out;
    }

    @Override
    public long raftIndex() {
        return runtime.status().node().lastLogIndex();
    }

    @Override
    public long newRequestId() {
        return runtime.newRequestId();
    }

    @Override
    public CompletableFuture<EtcdResult> propose(EtcdCommand command) {
        return translate(runtime.propose(command.requestId(), command.encode()));
    }

    @Override
    public <T> CompletableFuture<T> readLinearizable(Function<EtcdStateMachine, T> query) {
        return translate(runtime.readLinearizable(m -> query.apply(m.etcd())));
    }

    @Override
    public <T> CompletableFuture<T> readLocal(Function<EtcdStateMachine, T> query) {
        return translate(runtime.readLocal(m -> query.apply(m.etcd())));
    }

    /** The driver's refusals as etcd's errors (each says whether the request can have been applied). */
    private static <T> CompletableFuture<T> translate(CompletableFuture<T> f) {
        return f.exceptionallyCompose(t -> {
            Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
            if (c instanceof RequestFailure rf) {
                EtcdError e = switch (rf.reason()) {
                    case NOT_LEADER -> EtcdError.NOT_LEADER;
                    case BUSY -> EtcdError.TOO_MANY_REQUESTS;
                    case OUTCOME_UNKNOWN -> EtcdError.LEADER_CHANGED;
                    case STOPPED -> EtcdError.STOPPED;
                };
                return CompletableFuture.failedFuture(e.failure());
            }
            return CompletableFuture.failedFuture(c);
        });
    }
}
