package dev.ballot.node.server;

import dev.ballot.engine.MemberKind;
import dev.ballot.node.config.ConfigException;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;
import dev.ballot.node.storage.MemberRecord;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.StatusReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Whether a member may start as the voter its configuration names. A voter's vote and its acknowledgements
 * count only because it remembers what it voted for and acknowledged; one whose volume was lost and that
 * starts empty would vote for a candidate missing committed writes (and a quorum of it and that candidate
 * would lose them). Such a member must not start: it needs replacing (removed from the configuration, added
 * again as a learner/observer, caught up, promoted).
 *
 * <p>An empty directory alone cannot tell "brand-new cluster" from "lost volume"; as etcd's
 * {@code --initial-cluster-state}, {@code BALLOT_INITIAL_CLUSTER_STATE} says which: {@code new} (default) while
 * the cluster bootstraps, {@code existing} once it has (the operator sets it). Under {@code new} the member also
 * asks its peers ({@code GET /v1/status}): if any says this member joined the cluster, its volume was lost.
 */
public final class JoinGate {
    public static final String ENV = "BALLOT_INITIAL_CLUSTER_STATE";
    static final Duration ASK_TIMEOUT = Duration.ofMillis(800);
    static final Duration ASK_EVERY = Duration.ofMillis(200);
    static final Duration ASK_FOR = Duration.ofSeconds(3);

    public enum InitialClusterState { NEW, EXISTING }

    public enum Verdict { START, NEEDS_REPLACEMENT }

    /** What the peers said about this member (under {@code new} only). */
    public enum PeersSay { NOT_ASKED, NOBODY_ANSWERED, NEVER_JOINED, JOINED }

    /** The decision, with why. */
    public record Decision(Verdict verdict, String reason) {
    }

    private JoinGate() {
    }

    public static InitialClusterState parse(Map<String, String> env) throws ConfigException {
        String v = env.get(ENV);
        if (v == null || v.isBlank()) {
            return InitialClusterState.NEW;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "new" -> InitialClusterState.NEW;
            case "existing" -> InitialClusterState.EXISTING;
            default -> throw new ConfigException("environment variable " + ENV, ENV, 0, "'" + v + "' is neither "
                    + "'new' nor 'existing'", "set it to 'new' while the cluster bootstraps and 'existing' once it has");
        };
    }

    /** Reads the environment, looks at the data directory and, when it must, asks the peers. */
    public static Decision check(NodeConfig config, Map<String, String> env)
            throws ConfigException, java.io.IOException, InterruptedException {
        InitialClusterState state = parse(env);
        boolean fresh = MemberRecord.freshDirectory(config.dataDir());
        MemberKind kind = config.self().kind();
        PeersSay peers = fresh && kind == MemberKind.VOTER && state == InitialClusterState.NEW
                ? askPeers(config) : PeersSay.NOT_ASKED;
        return decide(fresh, kind, state, peers);
    }

    /** Pure: table-tested. */
    public static Decision decide(boolean freshStorage, MemberKind kind, InitialClusterState state, PeersSay peers) {
        if (!freshStorage) {
            return new Decision(Verdict.START, "this member's storage holds its state");
        }
        if (kind != MemberKind.VOTER) {
            return new Decision(Verdict.START, "a new " + kind.wireName() + " starts empty and catches up");
        }
        if (state == InitialClusterState.EXISTING) {
            return new Decision(Verdict.NEEDS_REPLACEMENT, ENV + "=existing: the cluster has bootstrapped, and a voter "
                    + "with empty storage has lost what it voted for and acknowledged");
        }
        if (peers == PeersSay.JOINED) {
            return new Decision(Verdict.NEEDS_REPLACEMENT, "a peer reports that this member joined the cluster, but its "
                    + "storage is empty: its volume was lost");
        }
        return new Decision(Verdict.START, "new cluster (" + ENV + "=new) and no peer reports that this member joined");
    }

    /**
     * Asks every peer whether this member joined: in parallel, each again every {@link #ASK_EVERY} until it answers,
     * for at most {@link #ASK_FOR} in all (peers and this JVM may be starting too). Returns at once when one says
     * JOINED; else NEVER_JOINED if any answered, NOBODY_ANSWERED if none did.
     */
    public static PeersSay askPeers(NodeConfig config) throws InterruptedException {
        NodeClient client = NodeClient.create(ASK_TIMEOUT, ASK_TIMEOUT, null, dev.ballot.node.tls.NodeTls.contextOrNull(config));
        List<PeerSpec> pending = new ArrayList<>();
        for (PeerSpec p : config.peers()) {
            if (p.clientAddress() != null) {
                pending.add(p);
            }
        }
        PeersSay result = PeersSay.NOBODY_ANSWERED;
        long deadline = System.nanoTime() + ASK_FOR.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            List<CompletableFuture<PeersSay>> answers = new ArrayList<>();
            for (PeerSpec p : pending) {
                answers.add(client.at(p.clientAddress().toString()).statusAsync()
                        .thenApply(s -> saysJoined(s, config.nodeName()))
                        .exceptionally(e -> PeersSay.NOBODY_ANSWERED));
            }
            List<PeerSpec> still = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                PeersSay s;
                try {
                    s = answers.get(i).get(ASK_TIMEOUT.toMillis() + 200, TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    s = PeersSay.NOBODY_ANSWERED;
                }
                if (s == PeersSay.JOINED) {
                    return s;
                }
                if (s == PeersSay.NEVER_JOINED) {
                    result = s;
                } else {
                    still.add(pending.get(i));
                }
            }
            pending = still;
            if (!pending.isEmpty()) {
                Thread.sleep(ASK_EVERY.toMillis());
            }
        }
        return result;
    }

    /** A peer's status names this member among {@code joinedMembers} (see ClusterIdentityKeeper). */
    static PeersSay saysJoined(StatusReport peer, String selfName) {
        if (peer.joinedMembers() == null) {
            // A running member that has not learned the cluster's identity yet (needsReplacement: false) knows of
            // no joined member: a new cluster, as far as it knows. One that needs replacing itself, or of another
            // version (no needsReplacement), says nothing.
            return Boolean.FALSE.equals(peer.needsReplacement()) && peer.role() != null
                    ? PeersSay.NEVER_JOINED : PeersSay.NOBODY_ANSWERED;
        }
        return peer.joinedMembers().contains(selfName) ? PeersSay.JOINED : PeersSay.NEVER_JOINED;
    }
}
