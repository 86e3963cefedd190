package dev.ballot.examples.election;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An application that runs its work on one instance at a time, elected through a Ballot Raft cluster with an
 * off-the-shelf etcd client: jetcd's Election API (etcd's v3election service) over a lease kept alive by jetcd.
 *
 * <p>Safety does not rest on the client hearing bad news: an instance counts itself leader only while its lease's
 * last keep-alive answer is younger than two thirds of the TTL. The cluster deletes the instance's election key no
 * earlier than one TTL after the last renewal it granted (and a new Ballot leader starts every lease's TTL afresh), so
 * an instance cut off from the cluster stops leading before another can win.
 *
 * <p>Run: {@code java -jar leader-election.jar <etcd endpoints> [instance id]} with the endpoints from the
 * ElectionCluster's {@code status.endpoints.etcd} (e.g. {@code http://raft-3-client.default.svc:2379}), or the env
 * {@code BALLOT_ETCD_ENDPOINTS}. It prints {@code leader <id>} and {@code follower <id>} as its role changes.
 */
public final class LeaderElectionApp implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final Client client;
    private final ByteSequence election;
    private final String id;
    private final long ttlSeconds;
    private final long staleAfterNanos;
    private final Thread loop;
    private volatile boolean closed;
    private volatile boolean leader;
    private volatile long lastAckNanos;
    private volatile LeaderKey leaderKey;
    private volatile long leaseId;
    private volatile int terms;

    /** {@code endpoints}: comma-separated etcd URLs; {@code ttl}: the lease's, at least 2 s (etcd's minimum). */
    public LeaderElectionApp(String endpoints, String electionName, String id, Duration ttl) {
        this.client = Client.builder().endpoints(endpoints.split(",")).connectTimeout(Duration.ofSeconds(2)).build();
        this.election = bytes(electionName);
        this.id = id;
        this.ttlSeconds = Math.max(2, ttl.toSeconds());
        this.staleAfterNanos = TimeUnit.SECONDS.toNanos(ttlSeconds) * 2 / 3;
        this.loop = new Thread(this::run, "election-" + id);
        this.loop.setDaemon(true);
    }

    public LeaderElectionApp start() {
        loop.start();
        return this;
    }

    /** True only while this instance won the election and its lease is known alive (see the class comment). */
    public boolean isLeader() {
        return leader && fresh();
    }

    /** How many times this instance has become leader. */
    public int terms() {
        return terms;
    }

    public String id() {
        return id;
    }

    private boolean fresh() {
        return System.nanoTime() - lastAckNanos < staleAfterNanos;
    }

    private void run() {
        while (!closed) {
            try {
                term();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // the cluster or this member is unreachable, or the lease is gone: start over with a new lease
                sleep(Duration.ofMillis(500));
            }
        }
    }

    /** One lease: campaign with it, lead while it is alive, step down when it is not. */
    private void term() throws InterruptedException {
        long lease = await(client.getLeaseClient().grant(ttlSeconds), Duration.ofSeconds(5)).getID();
        leaseId = lease;
        lastAckNanos = System.nanoTime();
        try (CloseableClient keepAlive = client.getLeaseClient().keepAlive(lease, new Acks())) {
            CompletableFuture<CampaignResponse> campaign = client.getElectionClient()
                    .campaign(election, lease, bytes(id));
            // Campaign waits while another instance leads; give up (and start over) if our own lease went stale.
            CampaignResponse won = null;
            while (!closed && won == null && fresh()) {
                try {
                    won = campaign.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // still waiting for the current leader to go
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("campaign failed: " + e.getCause(), e.getCause());
                }
            }
            if (won == null) {
                campaign.cancel(true);
                return;
            }
            leaderKey = won.getLeader();
            leader = true;
            terms++;
            System.out.println("leader " + id);
            while (!closed && fresh()) {
                Thread.sleep(POLL.toMillis());
            }
            leader = false;
            System.out.println("follower " + id + (closed ? " (closing)" : " (lease not renewed for "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastAckNanos) + " ms)"));
        } finally {
            leader = false;
        }
    }

    /** Resigns (so another instance takes over at once, not after a TTL) and closes the client. */
    @Override
    public void close() {
        closed = true;
        leader = false;
        LeaderKey key = leaderKey;
        try {
            if (key != null) {
                client.getElectionClient().resign(key).get(5, TimeUnit.SECONDS);
            }
            client.getLeaseClient().revoke(leaseId).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the cluster is unreachable: the lease expires on its own after its TTL
        }
        loop.interrupt();
        client.close();
    }

    private final class Acks implements StreamObserver<LeaseKeepAliveResponse> {
        @Override
        public void onNext(LeaseKeepAliveResponse r) {
            if (r.getTTL() > 0) {
                lastAckNanos = System.nanoTime();
            }
        }

        @Override
        public void onError(Throwable t) {
            // no more acks: the lease goes stale and the loop starts over
        }

        @Override
        public void onCompleted() {
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout) throws InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException("no answer in " + timeout.toMillis() + " ms");
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String endpoints = args.length > 0 ? args[0] : System.getenv("BALLOT_ETCD_ENDPOINTS");
        if (endpoints == null || endpoints.isBlank()) {
            System.err.println("give the etcd endpoints (status.endpoints.etcd of the ElectionCluster) as the first"
                    + " argument or BALLOT_ETCD_ENDPOINTS, e.g. http://raft-3-client.default.svc:2379");
            System.exit(2);
        }
        String id = args.length > 1 ? args[1] : java.net.InetAddress.getLocalHost().getHostName();
        LeaderElectionApp app = new LeaderElectionApp(endpoints, "example-leader", id, Duration.ofSeconds(10)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        Thread.currentThread().join();
    }
}
