package dev.ballot.backup;

import dev.ballot.nodeapi.NodePaths;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * One backup: streams a member's {@code GET /v1/admin/snapshot} into the store (never whole in memory), checks the
 * SHA-256 of what went up against the member's, then writes the manifest beside it. The manifest comes last, so a
 * backup interrupted half-way has no manifest and a restore never picks it. A mismatch deletes the object.
 */
public final class SnapshotBackup {
    /** A snapshot of a large state machine takes a while to serialise and send. */
    static final Duration SNAPSHOT_DEADLINE = Duration.ofMinutes(10);

    /** How long a member may answer 503 (no leader yet, an election in progress) before the backup gives up. */
    static final Duration UNAVAILABLE_DEADLINE = Duration.ofSeconds(30);
    private static final Duration UNAVAILABLE_PAUSE = Duration.ofMillis(200);

    /** What a successful backup stored. */
    public record Taken(BackupManifest manifest, Duration took) {
    }

    private SnapshotBackup() {
    }

    /**
     * @param member the member's client API, {@code http://host:port}; the leader, so the snapshot is linearizable
     */
    public static Taken take(HttpClient http, URI member, BackupStore store, String namespace, String cluster, Clock clock)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Instant now = clock.instant();
        HttpResponse<InputStream> r = requestSnapshot(http, member);
        try (InputStream body = r.body()) {
            if (r.statusCode() != 200) {
                String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
                throw new IOException("the member " + member + " answered " + r.statusCode() + " to "
                        + NodePaths.SNAPSHOT + ": " + text);
            }
            HttpHeaders h = r.headers();
            long index = Long.parseLong(header(h, NodePaths.SNAPSHOT_INDEX_HEADER, member));
            long term = Long.parseLong(header(h, NodePaths.SNAPSHOT_TERM_HEADER, member));
            String sha = header(h, NodePaths.SNAPSHOT_SHA256_HEADER, member);
            long length = h.firstValueAsLong("Content-Length").orElse(-1);
            String key = BackupKeys.snapshotKey(BackupKeys.clusterPrefix(store.location(), namespace, cluster), now, index);
            MessageDigest digest = sha256();
            DigestInputStream counted = new DigestInputStream(body, digest);
            if (length >= 0) {
                store.put(key, counted, length, "application/octet-stream");
            } else {
                byte[] all = counted.readAllBytes();
                length = all.length;
                store.put(key, all, "application/octet-stream");
            }
            String uploaded = HexFormat.of().formatHex(digest.digest());
            if (!uploaded.equals(sha)) {
                store.delete(List.of(key));
                throw new IOException("the snapshot from " + member + " does not match its SHA-256 (sent " + sha
                        + ", received " + uploaded + "); the object was deleted, the next backup tries again");
            }
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, namespace, cluster,
                    header(h, NodePaths.SNAPSHOT_PROTOCOL_HEADER, member), header(h, NodePaths.SNAPSHOT_MACHINE_HEADER, member),
                    index, term, sha, length, now.toString(), key, h.firstValue(NodePaths.SNAPSHOT_MEMBER_HEADER).orElse(null));
            store.put(BackupKeys.manifestKey(key), manifest.toJson(), "application/json");
            return new Taken(manifest, Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    private static String header(HttpHeaders h, String name, URI member) throws IOException {
        return h.firstValue(name).orElseThrow(() -> new IOException("the member " + member + " sent a snapshot without "
                + name + "; is it a node older than this operator?"));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The snapshot's response, asked again while the member answers 503: during an election nobody can confirm a
     * committed index yet. A snapshot is a read, so asking again is always safe; any other answer is returned.
     */
    private static HttpResponse<InputStream> requestSnapshot(HttpClient http, URI member)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(member.toString().replaceAll("/+$", "") + NodePaths.SNAPSHOT))
                .timeout(SNAPSHOT_DEADLINE).GET().build();
        long deadline = System.nanoTime() + UNAVAILABLE_DEADLINE.toNanos();
        while (true) {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                return r;
            }
            r.body().close();
            Thread.sleep(UNAVAILABLE_PAUSE.toMillis());
        }
    }
}
