package dev.ballot.node.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.election.CampaignResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * jetcd through a Ballot leader failover (SIGKILL of the leader's process, then its restart): a lease kept
 * alive survives with its key, a watch delivers every acknowledged write's event exactly once and in order,
 * and an election has one holder at a time (the waiting candidate wins only after the holder resigns).
 */
@ExtendWith(ClientTally.class)
class JetcdFailoverTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    /** Retries a call that failed because the cluster was electing (bounded). */
    static <T> T retry(java.util.function.Supplier<CompletableFuture<T>> call) throws Exception {
        Exception last = null;
        for (int i = 0; i < 60; i++) {
            try {
                return call.get().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
                Thread.sleep(100); // back off while the cluster elects; bounded by the loop
            }
        }
        throw last;
    }

    @Test
    @Timeout(240)
    void leasesWatchesAndElectionsSurviveALeaderKill() throws Exception {
        System.out.println("JetcdFailoverTest: node logs in " + work + " (kept on failure)");
        try (EtcdCluster cluster = new EtcdCluster(work);
             Client client = Client.builder().endpoints(cluster.endpoints()).build();
             Client candidateB = Client.builder().endpoints(cluster.endpoints()).build()) {
            var lease = client.getLeaseClient();
            long kept = retry(() -> lease.grant(4)).getID();
            AtomicInteger renewals = new AtomicInteger();
            var keepAlive = lease.keepAlive(kept, new StreamObserver<LeaseKeepAliveResponse>() {
                @Override
                public void onNext(LeaseKeepAliveResponse r) {
                    renewals.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            });
            retry(() -> client.getKVClient().put(bs("fo/held"), bs("alive"),
                    io.etcd.jetcd.options.PutOption.builder().withLeaseId(kept).build()));

            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            Watch.Watcher watcher = client.getWatchClient().watch(bs("fo/w/"),
                    WatchOption.builder().isPrefix(true).build(), Watch.listener(r -> events.addAll(r.getEvents())));

            long leaseB = retry(() -> candidateB.getLeaseClient().grant(30)).getID();
            CampaignResponse a = retry(() -> client.getElectionClient().campaign(bs("fo-el"), kept, bs("a")));
            AtomicLong aResignedAt = new AtomicLong();
            AtomicLong bWonAt = new AtomicLong();
            CompletableFuture<CampaignResponse> b = CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 100; i++) {
                    try {
                        CampaignResponse won = candidateB.getElectionClient().campaign(bs("fo-el"), leaseB, bs("b"))
                                .get(60, TimeUnit.SECONDS);
                        bWonAt.set(System.nanoTime());
                        return won;
                    } catch (Exception e) {
                        // the call was cut by the failover: campaign again (same key, same place in line)
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException ie) {
                            throw new IllegalStateException(ie);
                        }
                    }
                }
                throw new IllegalStateException("candidate b never won");
            });

            // Writes before, during and after the leader's death; each acknowledged one remembered by revision.
            Map<Long, String> acked = new ConcurrentHashMap<>();
            long oldLeader = cluster.awaitLeader();
            for (int i = 0; i < 200; i++) {
                if (i == 60) {
                    cluster.cluster.kill(oldLeader);
                }
                if (i == 140) {
                    cluster.cluster.start(oldLeader);
                }
                String key = "fo/w/" + i;
                long rev = retry(() -> client.getKVClient().put(bs(key), bs("v"))).getHeader().getRevision();
                acked.put(rev, key);
            }
            long newLeader = cluster.awaitLeader();
            System.out.println("JetcdFailoverTest: leader " + oldLeader + " killed, new leader " + newLeader);

            await("every acknowledged write's event").atMost(Duration.ofSeconds(30))
                    .until(() -> events.stream().map(e -> e.getKeyValue().getModRevision()).toList()
                            .containsAll(acked.keySet()));
            List<Long> revs = events.stream().map(e -> e.getKeyValue().getModRevision()).toList();
            assertThat(revs).as("events in revision order, each once").isSorted().doesNotHaveDuplicates();
            for (WatchEvent e : events) {
                String key = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                if (acked.containsKey(e.getKeyValue().getModRevision())) {
                    assertThat(key).isEqualTo(acked.get(e.getKeyValue().getModRevision()));
                }
            }

            // The lease kept alive through the failover still holds its key and has time left.
            int renewedBefore = renewals.get();
            await("keep-alives answered after the failover").atMost(Duration.ofSeconds(15))
                    .until(() -> renewals.get() > renewedBefore + 1);
            assertThat(retry(() -> client.getKVClient().get(bs("fo/held"))).getKvs()).hasSize(1);
            assertThat(retry(() -> lease.timeToLive(kept, io.etcd.jetcd.options.LeaseOption.DEFAULT)).getTTL()).isPositive();

            // One holder at a time: a still leads; b wins only after a resigns.
            assertThat(retry(() -> client.getElectionClient().leader(bs("fo-el"))).getKv().getValue()
                    .toString(StandardCharsets.UTF_8)).isEqualTo("a");
            assertThat(b).isNotDone();
            aResignedAt.set(System.nanoTime());
            retry(() -> client.getElectionClient().resign(a.getLeader()));
            b.get(60, TimeUnit.SECONDS);
            assertThat(bWonAt.get()).as("b won only after a began to resign").isGreaterThan(aResignedAt.get());
            assertThat(retry(() -> client.getElectionClient().leader(bs("fo-el"))).getKv().getValue()
                    .toString(StandardCharsets.UTF_8)).isEqualTo("b");
            System.out.println("JetcdFailoverTest: writes_acked=" + acked.size() + " events=" + events.size()
                    + " keepalives=" + renewals.get());
            keepAlive.close();
            watcher.close();
        }
    }
}
