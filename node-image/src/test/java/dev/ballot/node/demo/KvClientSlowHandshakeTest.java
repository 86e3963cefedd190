package dev.ballot.node.demo;

import dev.ballot.nodeapi.tls.ReloadingTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's writers on a loaded machine, where a TLS handshake takes longer than one write attempt (300 ms). The
 * member here is a minimal HTTPS server that starts every handshake {@link #HANDSHAKE_MS} late, as a starved member
 * does, and answers at once on a connection it has. Before KvClient connected in the background, every attempt
 * opened a new connection, gave up in the middle of its handshake and closed it: no write ever reached the member
 * (the FrozenLeaderFailoverProcessTest ZAB failure at load 17: 30 s without one acknowledged write).
 */
class KvClientSlowHandshakeTest {
    private static final long HANDSHAKE_MS = 700;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void writesGetThroughWhenEveryHandshakeOutlastsTheAttempt() throws Exception {
        LocalTls tls = LocalTls.issue(dir, "slow", Map.of(1L, "127.0.0.1"));
        try (SlowMember member = new SlowMember(ReloadingTls.open(tls.member(1)).context())) {
            KvClient client = new KvClient(List.of(member.address()), Duration.ofMillis(300),
                    ReloadingTls.open(tls.client()).context());

            List<String> outcomes = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!outcomes.contains("200") && System.nanoTime() < deadline) {
                outcomes.add(client.attemptPut("k" + outcomes.size(), "v"));
            }

            assertThat(outcomes).as("attempts, in order, until one was acknowledged").contains("200");
            assertThat(outcomes.get(0)).as("the first attempt met the slow handshake").isEqualTo("connect-timeout");
            assertThat(member.writes.get()).as("writes the member received").isPositive();
        }
    }

    /** HTTPS on 127.0.0.1 that waits before each handshake; answers every PUT with revision 1 and GETs with 200. */
    private static final class SlowMember implements AutoCloseable {
        final AtomicInteger writes = new AtomicInteger();
        private final ServerSocket server;
        private final SSLContext tls;
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        SlowMember(SSLContext tls) throws IOException {
            this.tls = tls;
            this.server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            Thread accept = new Thread(this::acceptLoop, "slow-member-accept");
            accept.setDaemon(true);
            accept.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket raw = server.accept();
                    sockets.add(raw);
                    Thread t = new Thread(() -> serve(raw), "slow-member-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket raw) {
            try {
                Thread.sleep(HANDSHAKE_MS); // the fault under test: a starved member's handshake starts this late
                SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, "127.0.0.1", raw.getPort(), true);
                s.setUseClientMode(false);
                s.startHandshake();
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    int length = contentLength(head);
                    in.readNBytes(length);
                    boolean put = head.startsWith("PUT ");
                    if (put) {
                        writes.incrementAndGet();
                    }
                    byte[] body = (put ? "{\"revision\":1}" : "{}").getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                }
            } catch (IOException e) {
                // the client closed the connection (often mid-handshake: that is the point)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }

        /** The request line and headers, or null at the end of the stream. */
        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                b.write(c);
                byte[] sofar = b.toByteArray();
                int n = sofar.length;
                if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                    return b.toString(StandardCharsets.US_ASCII);
                }
            }
            return null;
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    return Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
