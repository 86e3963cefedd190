package dev.ballot.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Three etcd members on 127.0.0.1, driven by jetcd (native clients, as Ballot's Raft members) or through etcd's own
 * JSON gateway ({@code /v3/kv/put}, {@code /v3/kv/range}) over the same HTTP client as Ballot's HTTP API.
 *
 * <p>Timing: etcd-raft ticks once per heartbeat and draws its election timeout in [T, 2T) whole ticks, counted from
 * the last message, so the first counted tick comes up to one tick early. With {@code --election-timeout=150} and a
 * 10 ms heartbeat (the default here: Ballot's tick) a timeout fires 140-290 ms after the leader's last message, as
 * Ballot's (15-30 ticks of 10 ms: 140-300 ms). With a 30 ms heartbeat (the largest etcd allows for 150 ms; the
 * bench's setting until session 11) it fired 120-270 ms after: below the range Ballot is held to.
 * {@code --pre-vote} is on, as Ballot's PreVote is.
 */
final class EtcdBenchCluster extends ExternalBenchCluster {
    static final int ELECTION_TIMEOUT_MS = 150;
    static final int DEFAULT_HEARTBEAT_MS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String etcd;
    private final int heartbeatMs;
    private final int[] clientPorts;
    private final int[] peerPorts;
    private final String token = "bench-" + Long.toHexString(System.nanoTime());

    private final boolean nativeClient;
    private final JetcdSessions jetcd;

    /** With {@code --tls}: the certificates' directory (server/, client/), else null. */
    private final Path certs;
    private final dev.ballot.nodeapi.NodeClient http;

    EtcdBenchCluster(String etcdBinary, Path workDir, boolean nativeClient, boolean tls, int heartbeatMs)
            throws IOException {
        super(workDir);
        this.heartbeatMs = heartbeatMs;
        this.nativeClient = nativeClient;
        this.etcd = etcdBinary;
        this.certs = tls ? BenchTls.issueEtcd(workDir.resolve("tls")) : null;
        this.http = tls ? HttpSessions.tls(BenchTls.context(certs.resolve("client"))) : HttpSessions.NODES;
        this.jetcd = new JetcdSessions(tls ? certs.resolve("client") : null);
        int[] ports = LocalPorts.free(6);
        this.clientPorts = new int[] {ports[0], ports[1], ports[2]};
        this.peerPorts = new int[] {ports[3], ports[4], ports[5]};
    }

    /** The etcd program on PATH, if any. */
    static Optional<String> findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "etcd");
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    static String version(String binary) {
        try {
            Process p = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().filter(l -> l.startsWith("etcd Version:")).findFirst().orElse("etcd ?").trim();
        } catch (IOException e) {
            return "etcd ? (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "etcd ?";
        }
    }

    @Override
    public String system() {
        return Report.ETCD;
    }

    @Override
    public String describe() {
        return version(etcd) + " --election-timeout=" + ELECTION_TIMEOUT_MS + "ms (randomized " + ELECTION_TIMEOUT_MS
                + "-" + (2 * ELECTION_TIMEOUT_MS - heartbeatMs) + " ms in " + heartbeatMs + " ms ticks) --heartbeat-interval="
                + heartbeatMs + "ms --pre-vote"
                + " client=" + (nativeClient ? "jetcd" : "http")
                + (certs != null ? " tls=on (--client-cert-auth, --peer-client-cert-auth)" : " tls=off")
                + " clients=127.0.0.1:" + clientPorts[0] + "," + clientPorts[1] + "," + clientPorts[2];
    }

    @Override
    public void restart(int member) throws IOException {
        jetcd.forget(endpoint(member));
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add("m" + i + "=" + scheme() + "://127.0.0.1:" + peerPorts[i]);
        }
        String client = endpoint(member);
        String peer = scheme() + "://127.0.0.1:" + peerPorts[member];
        List<String> cmd = new ArrayList<>(List.of(etcd,
                "--name", "m" + member,
                "--data-dir", workDir.resolve("m" + member + ".etcd").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", String.join(",", peers),
                "--initial-cluster-token", token, "--initial-cluster-state", "new",
                "--election-timeout", Integer.toString(ELECTION_TIMEOUT_MS),
                "--heartbeat-interval", Integer.toString(heartbeatMs),
                "--pre-vote",
                "--logger", "zap", "--log-level", "warn"));
        if (certs != null) {
            cmd.addAll(BenchTls.etcdFlags(certs.resolve("server")));
        }
        processes.start(member, cmd, workDir.resolve("m" + member + ".log"));
    }

    @Override
    protected void memberGone(int member) {
        jetcd.forget(endpoint(member));
    }

    private String endpoint(int member) {
        return scheme() + "://127.0.0.1:" + clientPorts[member];
    }

    private String scheme() {
        return certs != null ? "https" : "http";
    }

    /** {@code /v3/maintenance/status} through etcd's gateway: it leads when its member_id is the leader it names. */
    @Override
    public boolean claimsLeadership(int member, Duration timeout) {
        return post(member, "/v3/maintenance/status", "{}", timeout)
                .map(st -> st.path("header").path("member_id").asText().equals(st.path("leader").asText()))
                .orElse(false);
    }

    private Optional<JsonNode> post(int member, String path, String body, Duration timeout) {
        if (!processes.alive(member)) {
            return Optional.empty();
        }
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(endpoint(member) + path))
                    .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            HttpResponse<byte[]> r = HttpSessions.send(http, req);
            return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public boolean healthy() {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Optional<JsonNode> st = post(i, "/v3/maintenance/status", "{}", Duration.ofMillis(500));
            if (st.isEmpty() || st.get().path("leader").asText("0").equals("0")) {
                return false;
            }
            seen.merge(st.get().path("leader").asText(), 1, Integer::sum);
        }
        return seen.size() == 1;
    }

    @Override
    public OptionalInt leader() {
        for (int i = 0; i < 3; i++) {
            Optional<JsonNode> st = post(i, "/v3/maintenance/status", "{}", Duration.ofMillis(500));
            if (st.isPresent() && st.get().path("header").path("member_id").asText().equals(st.get().path("leader").asText())) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public KvSession session(int member) {
        if (nativeClient) {
            return jetcd.session(endpoint(member));
        }
        String base = endpoint(member);
        return new KvSession() {
            @Override
            public void put(String key, byte[] value, Duration timeout) throws Exception {
                ObjectNode body = JSON.createObjectNode().put("key", b64(key.getBytes(StandardCharsets.UTF_8)))
                        .put("value", b64(value));
                HttpResponse<byte[]> r = HttpSessions.send(http, HttpRequest.newBuilder(URI.create(base + "/v3/kv/put"))
                        .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
                if (r.statusCode() != 200) {
                    throw HttpSessions.refused("put " + key, r);
                }
            }

            @Override
            public byte[] linearizableGet(String key, Duration timeout) throws Exception {
                // serializable defaults to false: a range is linearizable (ReadIndex) unless asked otherwise
                ObjectNode body = JSON.createObjectNode().put("key", b64(key.getBytes(StandardCharsets.UTF_8)));
                HttpResponse<byte[]> r = HttpSessions.send(http, HttpRequest.newBuilder(URI.create(base + "/v3/kv/range"))
                        .timeout(timeout).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
                if (r.statusCode() != 200) {
                    throw HttpSessions.refused("range " + key, r);
                }
                JsonNode kvs = JSON.readTree(r.body()).path("kvs");
                if (!kvs.isArray() || kvs.isEmpty()) {
                    throw new IOException("range " + key + ": key absent");
                }
                return Base64.getDecoder().decode(kvs.get(0).path("value").asText());
            }

            @Override
            public void close() {
                // the HTTP client is shared
            }
        };
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Override
    protected void closeClients() {
        jetcd.close();
    }
}
