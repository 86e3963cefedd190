package dev.ballot.node.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.node.demo.LocalTls;
import dev.ballot.nodeapi.tls.ReloadingTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client of the HTTPS API that asks and stops reading (a paused or wedged process: its connection stays open) must
 * not keep the member from exiting on SIGTERM. A candidate for the journey's 30 s pod terminations (docs/e2e.md): the
 * member's answers back up into a blocked TLS write, and the JDK server's stop closes every connection and then joins
 * its dispatcher with no deadline. Measured, it did not hang even before HttpApi.close interrupted its handlers
 * first (exit in 0.66 s); kept so that it stays that way.
 */
class StalledClientShutdownProcessTest {
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx128m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final Duration EXIT_BUDGET = Duration.ofSeconds(12);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @Test
    @Timeout(180)
    void aMemberExitsOnSigtermWhileAnHttpsClientHasStoppedReading() throws Exception {
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, DemoTiming.SEED, work, NODE_JVM)) {
            LocalTls tls = cluster.enableTls("Optional");
            cluster.startAll();
            await("the member ready (log in " + work + ")").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100)).until(() -> cluster.ready(1));
            LocalCluster.Node node = cluster.node(1);

            String[] hostPort = cluster.clientAddress(1).split(":");
            SSLSocket socket = (SSLSocket) ReloadingTls.open(tls.operator()).context().getSocketFactory().createSocket();
            socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 5_000);
            socket.startHandshake();
            // Requests, pipelined, never a byte read back: the member's answers fill both sockets' buffers and
            // its handler blocks writing; then it stops reading requests, and this writer blocks too.
            AtomicLong sent = new AtomicLong();
            byte[] request = ("GET /metrics HTTP/1.1\r\nHost: " + cluster.clientAddress(1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    while (true) {
                        out.write(request);
                        sent.incrementAndGet();
                    }
                } catch (IOException e) {
                    // the member closed the connection, at its exit
                }
            }, "stalled-client-writer");
            writer.setDaemon(true);
            writer.start();
            long[] seen = {-1};
            long[] since = {System.nanoTime()};
            await("the member's answers back up until this client's requests do (log in " + work + ")")
                    .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
                        long n = sent.get();
                        if (n != seen[0]) {
                            seen[0] = n;
                            since[0] = System.nanoTime();
                        }
                        return n > 0 && System.nanoTime() - since[0] > TimeUnit.SECONDS.toNanos(2);
                    });

            Process p = node.process();
            long signalled = System.nanoTime();
            p.destroy();
            boolean exited = p.waitFor(EXIT_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            String log = Files.readString(node.log());
            assertThat(exited).as("the member still runs %s after SIGTERM (%d requests sent before the client stalled);"
                    + " its log %s ends:%n%s", EXIT_BUDGET, sent.get(), node.log(),
                    log.substring(Math.max(0, log.length() - 20_000))).isTrue();
            System.out.println("StalledClientShutdownProcessTest: exited " + ms + " ms after SIGTERM with a stalled"
                    + " HTTPS client (" + sent.get() + " requests pipelined); "
                    + log.lines().filter(l -> l.contains(": stopped")).findFirst().orElse("no 'stopped' line"));
            assertThat(p.exitValue()).isZero();
            socket.close();
        }
    }
}
