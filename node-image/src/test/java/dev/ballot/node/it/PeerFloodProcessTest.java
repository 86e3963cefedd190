package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12's pre-handshake flood on a real node process with a 96 MiB heap: connections to the peer port that each
 * announce a 13 MiB handshake frame and stream it. Before the handshake was read with a small limit, six of them
 * killed the node (each was buffered towards the 32 MiB frame limit); now each is closed after its 4-byte length
 * field, logged, and the node keeps serving with nothing lost.
 */
class PeerFloodProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx96m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final int CONNECTIONS = 12;
    private static final int FRAME_BYTES = 13 << 20;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(180)
    void oversizedPreHandshakeFloodIsRefusedAndTheNodeKeepsServing() throws Exception {
        System.out.println("PeerFloodProcessTest: node logs in " + work + " (kept on failure)");
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 3, DemoTiming.SEED, work, NODE_JVM)) {
            cluster.startAll();
            long leader = awaitLeader(cluster);
            assertThat(put(cluster, leader, "before-flood", "kept").statusCode()).isEqualTo(200);

            InetSocketAddress peerPort = peerAddress(cluster, leader);
            ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
            List<Future<Long>> sent = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                sent.add(pool.submit(() -> flood(peerPort)));
            }
            long total = 0;
            List<Long> perConnection = new ArrayList<>();
            for (Future<Long> f : sent) {
                long n = f.get(60, TimeUnit.SECONDS);
                perConnection.add(n);
                total += n;
            }
            pool.shutdown();
            System.out.println("PeerFloodProcessTest: " + CONNECTIONS + " connections offered " + FRAME_BYTES
                    + " bytes each; the node took " + total + " bytes in all before closing them: " + perConnection);

            assertThat(cluster.node(leader).running()).as("the flooded node is alive (log %s)", cluster.node(leader).log())
                    .isTrue();
            String log = await("a refusal logged per flood connection").atMost(Duration.ofSeconds(20))
                    .until(() -> Files.readString(cluster.node(leader).log()),
                            l -> l.split("handshake frame of " + (FRAME_BYTES + 2) + " bytes exceeds the limit of 267 bytes",
                                    -1).length - 1 >= CONNECTIONS);
            assertThat(log).doesNotContain("OutOfMemoryError");
            long after = awaitLeader(cluster);
            assertThat(put(cluster, leader, "after-flood", "v").statusCode()).as("the flooded node still takes writes")
                    .isEqualTo(200);
            assertThat(get(cluster, after, "before-flood")).as("nothing lost").isEqualTo("200 kept");
            assertThat(get(cluster, leader, "after-flood")).isEqualTo("200 v");
            System.out.println("PeerFloodProcessTest: leader before " + leader + ", after " + after
                    + "; the flooded node answered a write and both keys read back");
        }
    }

    /** Announces a 13 MiB handshake frame and streams it; returns how many bytes the node took before closing. */
    private static long flood(InetSocketAddress target) {
        long written = 0;
        try (Socket s = new Socket()) {
            s.connect(target, 2_000);
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(6).putInt(FRAME_BYTES + 2).put((byte) 1).put((byte) 1).array());
            written = 6;
            byte[] chunk = new byte[64 << 10];
            while (written < FRAME_BYTES + 6) {
                out.write(chunk);
                written += chunk.length;
            }
            out.flush();
            s.setSoTimeout(10_000);
            s.getInputStream().read(); // the node closes it
        } catch (IOException closedByTheNode) {
            // reset or broken pipe: the node refused the rest
        }
        return written;
    }

    /** Where node {@code id} of a Raft {@link LocalCluster} takes peer connections (its listen_address). */
    static InetSocketAddress peerAddress(LocalCluster cluster, long id) throws IOException {
        for (String line : Files.readAllLines(cluster.workDir().resolve("node-" + id + ".yaml"))) {
            String t = line.trim();
            if (t.startsWith("listen_address:")) {
                String hp = t.substring(t.indexOf('"') + 1, t.lastIndexOf('"'));
                int colon = hp.lastIndexOf(':');
                return new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)));
            }
        }
        throw new IllegalStateException("no listen_address in node-" + id + ".yaml");
    }

    private HttpResponse<String> put(LocalCluster c, long node, String key, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + c.clientAddress(node) + "/v1/kv/" + key))
                .timeout(Duration.ofSeconds(5)).PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(LocalCluster c, long node, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + c.clientAddress(node) + "/v1/kv/" + key))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static long awaitLeader(LocalCluster cluster) {
        return await("a leader (logs in " + cluster.workDir() + ")").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.leader().filter(l -> cluster.nodes().stream().allMatch(n -> cluster.ready(n.id()))),
                        Optional::isPresent).orElseThrow().id();
    }
}
