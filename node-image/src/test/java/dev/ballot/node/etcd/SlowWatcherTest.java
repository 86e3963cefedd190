package dev.ballot.node.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher whose client stops reading (gRPC's own flow control: the client requests no more messages) while 6 MiB of
 * matching writes are applied: the member must not buffer them for it. Its watch leaves the live feed (the member's
 * {@code ballot_etcd_slow_watchers_total} and {@code ballot_etcd_watchers_catching_up} say so), and once the client
 * reads again it receives every event exactly once, in revision order, from the store's history, then rejoins the
 * live feed. Before, every event was queued in the member's memory for as long as the client did not read.
 */
@ExtendWith(ClientTally.class)
@Timeout(180)
class SlowWatcherTest {
    private static final int WRITES = 1500;
    private static final String VALUE = "v".repeat(4096);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    void aWatcherThatStopsReadingCatchesUpFromHistoryWithEveryEventOnce() throws Exception {
        try (EtcdCluster cluster = new EtcdCluster(work);
             Client client = Client.builder().endpoints(cluster.endpoints()).build()) {
            long member = cluster.cluster.nodes().get(0).id();
            URI endpoint = URI.create(cluster.endpoint(member));
            ManagedChannel channel = ManagedChannelBuilder.forAddress(endpoint.getHost(), endpoint.getPort())
                    .usePlaintext().build();
            try {
                List<Event> received = new CopyOnWriteArrayList<>();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                AtomicReference<ClientCallStreamObserver<WatchRequest>> stream = new AtomicReference<>();
                CompletableFuture<Long> created = new CompletableFuture<>();
                // wait for ready: on a loaded machine the member's etcd port may open after this call (CI: the watch
                // failed UNAVAILABLE at once, unseen, and the test waited 15 s for a "created" that could not come)
                WatchGrpc.newStub(channel).withWaitForReady().watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRequest> requests) {
                        requests.disableAutoRequestWithInitial(1); // the "created" answer, then nothing until asked
                        stream.set(requests);
                    }

                    @Override
                    public void onNext(WatchResponse r) {
                        if (r.getCreated()) {
                            created.complete(r.getWatchId());
                        }
                        if (r.getCanceled()) {
                            failed.set(new AssertionError("watch cancelled: " + r.getCancelReason()));
                        }
                        received.addAll(r.getEventsList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed.set(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
                stream.get().onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("slow/")).setRangeEnd(ByteString.copyFromUtf8("slow0"))).build());
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("no \"created\" answer to the watch within 30 s; the call's error: "
                            + failed.get(), e);
                }

                List<CompletableFuture<?>> puts = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    puts.add(client.getKVClient().put(bs(String.format("slow/%05d", i)), bs(VALUE)));
                    if (puts.size() >= 32) {
                        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                        puts.clear();
                    }
                }
                CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

                String stalled = await("the member reports the watch as slow (metrics of member " + member + ", logs in "
                        + work + ")").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> cluster.cluster.metrics(member).orElse(""),
                                m -> metric(m, "ballot_etcd_slow_watchers_total") >= 1
                                        && metric(m, "ballot_etcd_watchers_catching_up") >= 1);
                assertThat(received).as("nothing was read yet").isEmpty();
                System.out.println("SlowWatcherTest: stalled with " + metric(stalled, "ballot_etcd_slow_watchers_total")
                        + " slow watch(es) on member " + member);

                stream.get().request(Integer.MAX_VALUE);
                await("every event after the client reads again (received " + received.size() + ")")
                        .atMost(Duration.ofSeconds(60)).until(() -> received.size() >= WRITES || failed.get() != null);
                assertThat(failed.get()).as("the watch stream").isNull();
                assertThat(received).hasSize(WRITES);
                // Each key once (the puts ran 32 at a time, so in any order), revisions strictly increasing: no event
                // lost, repeated or reordered across the catch-up steps and the return to the live feed.
                java.util.Set<String> keys = new java.util.TreeSet<>();
                long lastRevision = 0;
                for (int i = 0; i < WRITES; i++) {
                    Event e = received.get(i);
                    assertThat(keys.add(e.getKv().getKey().toStringUtf8())).as("event %d (%s) seen once", i,
                            e.getKv().getKey().toStringUtf8()).isTrue();
                    assertThat(e.getKv().getModRevision()).as("revision of event %d", i).isGreaterThan(lastRevision);
                    lastRevision = e.getKv().getModRevision();
                }
                assertThat(keys).first().isEqualTo("slow/00000");
                assertThat(keys).last().isEqualTo(String.format("slow/%05d", WRITES - 1));
                await("the watch back on the live feed").atMost(Duration.ofSeconds(30))
                        .until(() -> metric(cluster.cluster.metrics(member).orElse(""), "ballot_etcd_watchers_catching_up") == 0);
                // Live again: a new write arrives as a live event.
                client.getKVClient().put(bs("slow/live"), bs("x")).get(15, TimeUnit.SECONDS);
                await("a live event after catching up").atMost(Duration.ofSeconds(15))
                        .until(() -> received.size() == WRITES + 1);
                assertThat(received.get(WRITES).getKv().getKey().toStringUtf8()).isEqualTo("slow/live");
                stream.get().onCompleted();
            } finally {
                channel.shutdownNow();
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The value of an unlabelled series in Prometheus text, or -1 when absent. */
    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
