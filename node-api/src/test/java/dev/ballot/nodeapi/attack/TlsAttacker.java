package dev.ballot.nodeapi.attack;

import dev.ballot.nodeapi.tls.CertificateAuthority;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12's attacks on a node with TLS on, made with third-party clients where one can speak the protocol (curl for
 * the HTTP API, openssl s_client for the peer port) and a raw socket for the pre-handshake flood. Shared by the
 * node's process test (TlsAttacksProcessTest, nodes as local processes) and the e2e scenario {@code security}
 * (members in pods): the same attacks against both. Certificate directories are cert-manager's layout
 * ({@code tls.crt}, {@code tls.key}, {@code ca.crt}). Needs curl and openssl on PATH (.ci/run installs them).
 */
public final class TlsAttacker {
    /** The wire frame type of the peer handshake (the node's transport.Frame.Type.HANDSHAKE). */
    private static final byte HANDSHAKE_FRAME = 1;
    private static final byte FRAME_VERSION = 1;

    private final Path work;
    private final Path clusterCa;
    private final List<String> resolve = new ArrayList<>();

    /**
     * @param work      where attacker certificates are written
     * @param clusterCa the cluster's CA bundle, with which curl and openssl verify the node
     */
    public TlsAttacker(Path work, Path clusterCa) {
        this.work = work;
        this.clusterCa = clusterCa;
    }

    /** curl connects to {@code address} for {@code host:port} URLs (the certificate names DNS names, pods have IPs). */
    public TlsAttacker resolve(String host, InetSocketAddress address) {
        resolve.add(host + ":" + address.getPort() + ":" + address.getAddress().getHostAddress());
        return this;
    }

    /** A certificate from {@code ca} in a directory of its own, with the cluster's CA to verify the node. */
    public Path issue(String name, CertificateAuthority ca, Instant notBefore, Duration validity) throws IOException {
        Path dir = work.resolve("attacker-" + name);
        ca.writeDirectory(dir, ca.issue(name, List.of(), List.of(), List.of(), notBefore, validity));
        Files.copy(clusterCa, dir.resolve("ca.crt"), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** A certificate from a CA the cluster never saw. */
    public Path foreignCertificate() throws IOException {
        Instant from = Instant.now().minusSeconds(60);
        return issue("foreign", CertificateAuthority.create("another-ca", from, Duration.ofDays(1)), from, Duration.ofDays(1));
    }

    /** A certificate from the cluster's own CA that expired a day ago. */
    public Path expiredCertificate(CertificateAuthority clusterCa) throws IOException {
        return issue("expired", clusterCa, Instant.now().minus(Duration.ofDays(2)), Duration.ofDays(1));
    }

    /**
     * curl's answer as "status body"; "000 ..." when no HTTP answer came (a failed TLS handshake). {@code body}: the
     * request body, or {@code @file}.
     */
    public String curl(Path certDir, String method, String url, String body) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-X", method,
                "--cacert", clusterCa.toString(), "-w", "\n%{http_code}"));
        for (String r : resolve) {
            cmd.addAll(List.of("--resolve", r));
        }
        if (certDir != null) {
            cmd.addAll(List.of("--cert", certDir.resolve("tls.crt").toString(), "--key", certDir.resolve("tls.key").toString()));
        }
        if (body != null) {
            cmd.addAll(List.of("--data-binary", body));
        }
        cmd.add(url);
        String out = run(cmd, null);
        int nl = out.lastIndexOf('\n');
        String code = out.substring(nl + 1).strip();
        return code + " " + out.substring(0, Math.max(0, nl)).strip();
    }

    /**
     * A PUT of {@code @file} repeated (idempotent: the same value) while the answer is 503/504 or none: on a loaded
     * machine 1 MiB writes can cost the leader its leadership, and the write's fate is then unknown until retried.
     */
    public String putRetryingUnavailable(Path certDir, String url, Path file) throws Exception {
        String answer = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            answer = curl(certDir, "PUT", url, "@" + file);
            if (!answer.startsWith("503 ") && !answer.startsWith("504 ") && !answer.startsWith("000 ")) {
                return answer;
            }
        }
        return answer;
    }

    /** {@code openssl s_client} with TLS 1.3; with {@code input}, it sends it and waits for the node to close. */
    public String openssl(Path certDir, InetSocketAddress target, byte[] input) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                target.getAddress().getHostAddress() + ":" + target.getPort(), "-tls1_3", "-CAfile", clusterCa.toString()));
        if (certDir != null) {
            cmd.addAll(List.of("-cert", certDir.resolve("tls.crt").toString(), "-key", certDir.resolve("tls.key").toString()));
        }
        if (input != null) {
            cmd.add("-ign_eof");
        }
        return run(cmd, input);
    }

    /**
     * The first frame a peer sends, claiming to be member {@code memberId} of {@code clusterId}: {@code [length
     * u32][version u8][type u8][cluster id length u16][cluster id][member id u64]} (docs/node-api.md, peer transport).
     */
    public static byte[] handshakeClaim(String clusterId, long memberId) {
        byte[] id = clusterId.getBytes(StandardCharsets.UTF_8);
        int payload = 2 + id.length + 8;
        return ByteBuffer.allocate(4 + 2 + payload).putInt(2 + payload).put(FRAME_VERSION).put(HANDSHAKE_FRAME)
                .putShort((short) id.length).put(id).putLong(memberId).array();
    }

    /**
     * Announces a frame of {@code bytes} in plain TCP (no TLS) and streams it; a node must cut it off at its first
     * TLS record. Returns when the node closed the connection or after 10 s of silence.
     */
    public static void flood(InetSocketAddress target, int bytes) {
        try (Socket s = new Socket()) {
            s.connect(target, 2_000);
            OutputStream out = s.getOutputStream();
            out.write(ByteBuffer.allocate(6).putInt(bytes + 2).put(FRAME_VERSION).put(HANDSHAKE_FRAME).array());
            byte[] chunk = new byte[64 << 10];
            for (long written = 6; written < bytes + 6L; written += chunk.length) {
                out.write(chunk);
            }
            s.setSoTimeout(10_000);
            s.getInputStream().read();
        } catch (IOException closedByTheNode) {
            // reset or broken pipe: the node refused the rest
        }
    }

    /** {@code connections} floods at once; returns when all ended (at most a minute each). */
    public static void floodInParallel(InetSocketAddress target, int connections, int bytes) throws InterruptedException {
        List<Thread> flood = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> flood(target, bytes), "flood-" + i);
            t.start();
            flood.add(t);
        }
        for (Thread t : flood) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    /** How often {@code text} occurs in {@code log}. */
    public static int occurrences(String log, String text) {
        return log.split(java.util.regex.Pattern.quote(text), -1).length - 1;
    }

    private static String run(List<String> cmd, byte[] stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(cmd.get(0) + " did not finish in 20 s: " + cmd);
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
}
