package dev.ballot.node.demo;

import dev.ballot.engine.Protocol;
import dev.ballot.nodeapi.NodeClient;
import dev.ballot.nodeapi.NodeEndpoint;
import dev.ballot.nodeapi.StatusReport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Real node processes on this machine: {@code java -cp <this program> ... run --config <file>}.
 *
 * <p>Each node gets its own loopback address (127.0.R.1, 127.0.R.2, ...; all of 127/8 is local on
 * Linux) and the same ports, because the config formats give every member the peer host with the
 * cluster's client port, exactly as pods do. R is random so concurrent clusters do not collide.
 */
public final class LocalCluster implements AutoCloseable {

    /**
     * One member: who it is, where its files are, and its process once started.
     *
     * @param host    its loopback address (peer and client ports bind on it)
     * @param config  its config file (also for another subcommand with the same config, e.g. restore)
     * @param started holds its process; empty before the first start
     */
    public record Node(long id, String host, Path dataDir, Path config, Path log, AtomicReference<Process> started) {
        Node(long id, String host, Path dataDir, Path config, Path log) {
            this(id, host, dataDir, config, log, new AtomicReference<>());
        }

        public String name() {
            return "node-" + id;
        }

        public Process process() {
            return started.get();
        }

        public boolean running() {
            Process p = started.get();
            return p != null && p.isAlive();
        }
    }

    /** Who leads, as the live nodes report it. */
    public record Leader(long id, long term) {
    }

    private final Protocol protocol;
    private final Path workDir;
    private final List<String> jvmOptions;
    private final Map<Long, Node> nodes = new LinkedHashMap<>();
    private final int clientPort;
    private final int peerPort;
    /** ZAB's election port (unused by Raft). */
    private final int electionPort;
    /** Free on every node address; used only after {@link #enableEtcd()}. */
    private final int etcdPort;
    private volatile boolean etcd;
    private volatile boolean zookeeper;
    private volatile NodeClient client = NodeClient.create(Duration.ofMillis(200), Duration.ofMillis(500));
    private final String clusterId;
    /** Set by {@link #enableTls}; null: plain TCP. */
    private volatile LocalTls tls;
    /** {@code -cp ...} and what goes with it; {@link MemberClassArchive}'s for this JVM's class path unless set. */
    private volatile List<String> classpathArguments;
    /** Members stopped by {@link #freeze} and not killed or started since. */
    private final java.util.Set<Long> frozen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public LocalCluster(Protocol protocol, int size, DemoTiming timing, Path workDir, List<String> jvmOptions)
            throws IOException {
        this(protocol, size, 0, timing, workDir, jvmOptions);
    }

    /**
     * {@code voters} voting members (ids 1..voters), then {@code learners} non-voters (ids voters+1..): Raft learners,
     * or ZAB observers ({@code server.N=...:observer} in every member's file, as the operator writes a cluster with
     * {@code observers}).
     */
    public LocalCluster(Protocol protocol, int voters, int learners, DemoTiming timing, Path workDir,
                        List<String> jvmOptions) throws IOException {
        int size = voters + learners;
        this.protocol = protocol;
        this.workDir = workDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        String prefix = pickSubnet(size);
        int[] ports = freePorts(prefix, size, 4);
        this.clientPort = ports[0];
        this.etcdPort = ports[3];
        this.peerPort = ports[1];
        this.electionPort = ports[2];
        this.clusterId = "demo-" + protocol.wireName() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
        for (long id = 1; id <= size; id++) {
            String host = prefix + id;
            Path dataDir = Files.createDirectories(workDir.resolve("node-" + id + "-data"));
            Path config = workDir.resolve(protocol == Protocol.RAFT ? "node-" + id + ".yaml" : "node-" + id + ".cfg");
            String text = protocol == Protocol.RAFT
                    ? raftConfig(clusterId, id, voters, size, prefix, peerPort, dataDir, timing)
                    : zabConfig(clusterId, id, voters, size, prefix, peerPort, electionPort, dataDir, timing);
            Files.writeString(config, text.replace("CLIENT", Integer.toString(clientPort)));
            nodes.put(id, new Node(id, host, dataDir, config, workDir.resolve("node-" + id + ".log")));
        }
    }

    static String raftConfig(String clusterId, long self, int size, String prefix, int peerPort, Path dataDir,
                             DemoTiming t) {
        return raftConfig(clusterId, self, size, size, prefix, peerPort, dataDir, t);
    }

    static String raftConfig(String clusterId, long self, int voters, int size, String prefix, int peerPort,
                             Path dataDir, DemoTiming t) {
        StringBuilder sb = new StringBuilder();
        sb.append("raft:\n");
        sb.append("  cluster_id: \"").append(clusterId).append("\"\n");
        sb.append("  node_id: \"node-").append(self).append("\"\n");
        sb.append("  listen_address: \"").append(prefix).append(self).append(':').append(peerPort).append("\"\n");
        sb.append("  peers:\n");
        for (long id = 1; id <= size; id++) {
            if (id == voters + 1) {
                sb.append("  learners:\n");
            }
            sb.append("    - \"").append(prefix).append(id).append(':').append(peerPort).append("\"\n");
        }
        sb.append("  election_timeout_min: \"").append(t.electionMin().toMillis()).append("ms\"\n");
        sb.append("  election_timeout_max: \"").append(t.electionMax().toMillis()).append("ms\"\n");
        sb.append("  heartbeat_interval: \"").append(t.heartbeat().toMillis()).append("ms\"\n");
        sb.append("  client_address: \"").append(prefix).append(self).append(":CLIENT\"\n");
        sb.append("  data_dir: \"").append(dataDir.toAbsolutePath()).append("\"\n");
        return sb.toString();
    }

    static String zabConfig(String clusterId, long self, int size, String prefix, int peerPort, int electionPort,
                            Path dataDir, DemoTiming t) {
        return zabConfig(clusterId, self, size, size, prefix, peerPort, electionPort, dataDir, t);
    }

    static String zabConfig(String clusterId, long self, int voters, int size, String prefix, int peerPort,
                            int electionPort, Path dataDir, DemoTiming t) {
        StringBuilder sb = new StringBuilder();
        sb.append("tickTime=").append(t.zabTick().toMillis()).append('\n');
        sb.append("initLimit=").append(t.initLimit()).append('\n');
        sb.append("syncLimit=").append(t.syncLimit()).append('\n');
        sb.append("dataDir=").append(dataDir.toAbsolutePath()).append('\n');
        sb.append("clusterId=").append(clusterId).append('\n');
        sb.append("nodeId=node-").append(self).append('\n');
        sb.append("bindHost=").append(prefix).append(self).append('\n');
        sb.append("clientAddress=").append(prefix).append(self).append(":CLIENT\n");
        for (long id = 1; id <= size; id++) {
            sb.append("server.").append(id).append('=').append(prefix).append(id).append(':').append(peerPort)
                    .append(':').append(electionPort).append(id > voters ? ":observer\n" : "\n");
        }
        return sb.toString();
    }

    /** A random 127.0.R. prefix whose first addresses can be bound. */
    private static String pickSubnet(int size) throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            String prefix = "127.0." + ThreadLocalRandom.current().nextInt(2, 250) + ".";
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(prefix + size), 0));
                return prefix;
            } catch (IOException e) {
                // try another
            }
        }
        throw new IOException("no bindable 127.0.R.x loopback subnet found");
    }

    /** {@code count} ports free on every node address. */
    private static int[] freePorts(String prefix, int size, int count) throws IOException {
        int[] out = new int[count];
        int found = 0;
        for (int attempt = 0; attempt < 500 && found < count; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 45_000);
            boolean free = true;
            for (int i = 0; i < found; i++) {
                free &= out[i] != port;
            }
            for (int id = 1; id <= size && free; id++) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(prefix + id), port));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                out[found++] = port;
            }
        }
        if (found < count) {
            throw new IOException("could not find " + count + " free ports on " + prefix + "1-" + size);
        }
        return out;
    }

    /**
     * Serve peers and the HTTP API over TLS (docs/node-api.md, TLS): issues a CA and certificates under
     * {@code workDir/tls} and points every node's configuration at its own. This cluster's own client then speaks as
     * the operator. Call before starting nodes.
     */
    public LocalTls enableTls(String clientAuth) throws IOException {
        Map<Long, String> hosts = new LinkedHashMap<>();
        nodes.values().forEach(n -> hosts.put(n.id, n.host));
        LocalTls issued = LocalTls.issue(workDir.resolve("tls"), clusterId, hosts);
        for (Node n : nodes.values()) {
            String dir = issued.member(n.id).toAbsolutePath().toString();
            Files.writeString(n.config, protocol == Protocol.RAFT
                    ? "  tls_dir: \"" + dir + "\"\n  tls_client_auth: \"" + clientAuth + "\"\n"
                    : "tlsDir=" + dir + "\ntlsClientAuth=" + clientAuth + "\n", java.nio.file.StandardOpenOption.APPEND);
        }
        try {
            client = NodeClient.create(Duration.ofMillis(200), Duration.ofMillis(500), null,
                    dev.ballot.nodeapi.tls.ReloadingTls.open(issued.operator()).context());
        } catch (dev.ballot.nodeapi.tls.TlsException e) {
            throw new IOException(e.getMessage(), e);
        }
        this.tls = issued;
        return issued;
    }

    /** A keyspace quota of {@code bytes} on every node ({@code quota_bytes}, Raft only). Call before starting nodes. */
    public void enableQuota(long bytes) throws IOException {
        if (protocol != Protocol.RAFT) {
            throw new IllegalStateException("quota_bytes is a Raft configuration key");
        }
        for (Node n : nodes.values()) {
            Files.writeString(n.config, "  quota_bytes: \"" + bytes + "\"\n", java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** A client of its own (so its own connections) with this cluster's operator identity, for one-off probes. */
    NodeClient freshClient(Duration requestTimeout) {
        LocalTls t = tls;
        if (t == null) {
            return NodeClient.create(requestTimeout, requestTimeout);
        }
        try {
            return NodeClient.create(requestTimeout, requestTimeout, null,
                    dev.ballot.nodeapi.tls.ReloadingTls.open(t.operator()).context());
        } catch (dev.ballot.nodeapi.tls.TlsException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The certificates of {@link #enableTls}, or null. */
    public LocalTls tls() {
        return tls;
    }

    public String clusterId() {
        return clusterId;
    }

    public Protocol protocol() {
        return protocol;
    }

    public Path workDir() {
        return workDir;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    public Node node(long id) {
        return nodes.get(id);
    }

    public String clientAddress(long id) {
        return nodes.get(id).host + ":" + clientPort;
    }

    public List<String> clientAddresses() {
        return nodes.keySet().stream().map(this::clientAddress).toList();
    }

    /** Nodes started from now on serve the etcd v3 API ({@code BALLOT_ETCD_ADDRESS}) and feed it their log. */
    public void enableEtcd() {
        etcd = true;
    }

    /**
     * ZAB nodes started from now on serve the ZooKeeper client protocol ({@code BALLOT_CLIENTPORT}, on the port
     * the etcd API would take on Raft; after {@link #enableTls} {@code BALLOT_SECURE_CLIENT_PORT}, TLS only) and feed it
     * their log.
     */
    public void enableZooKeeper() {
        zookeeper = true;
    }

    /** The member's ZooKeeper client address, {@code host:port}. */
    public String zooKeeperAddress(long id) {
        return nodes.get(id).host + ":" + etcdPort;
    }

    /** The member's etcd v3 endpoint, {@code http://host:port} ({@code https://} after {@link #enableTls}). */
    public String etcdEndpoint(long id) {
        return (tls != null ? "https://" : "http://") + nodes.get(id).host + ":" + etcdPort;
    }

    public void startAll() throws IOException {
        for (Node n : nodes.values()) {
            start(n.id);
        }
    }

    public void start(long id) throws IOException {
        start(id, Map.of());
    }

    /** Starts a node with extra environment variables (e.g. {@code BALLOT_INITIAL_CLUSTER_STATE}). */
    public void start(long id, Map<String, String> env) throws IOException {
        Node n = nodes.get(id);
        frozen.remove(id);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        if (classpathArguments == null) {
            classpathArguments = MemberClassArchive.ownClasspathArguments();
        }
        cmd.addAll(classpathArguments);
        cmd.add("dev.ballot.node.cli.BallotNode");
        cmd.add("run");
        cmd.add("--config");
        cmd.add(n.config.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("BALLOT_"));
        if (etcd) {
            pb.environment().put("BALLOT_ETCD_ADDRESS", n.host + ":" + etcdPort);
        }
        if (zookeeper) {
            // with TLS, ZooKeeper's secure client port instead (the node refuses a plain one alone with TLS on)
            pb.environment().put(tls != null ? "BALLOT_SECURE_CLIENT_PORT" : "BALLOT_CLIENTPORT", Integer.toString(etcdPort));
        }
        pb.environment().putAll(env);
        n.started.set(pb.start());
    }

    /** Members start with these class-path arguments (e.g. {@code -cp <jar>}) instead of this JVM's, shared. */
    void useClasspathArguments(List<String> arguments) {
        classpathArguments = List.copyOf(arguments);
    }

    /** A lost volume: everything in the (stopped) node's data directory is gone. */
    public void wipeData(long id) throws IOException {
        Node n = nodes.get(id);
        if (n.running()) {
            throw new IllegalStateException(n.name() + " is running; stop it before wiping its data");
        }
        new Cleanup(n.dataDir).run();
        Files.createDirectories(n.dataDir);
    }

    /**
     * What the operator's replacement does to a member's config file: it lists the (stopped) member as a non-voter,
     * a ZAB observer ({@code server.N=...:observer}) or a Raft rejoining learner, so it starts empty without voting
     * and waits to be added ({@link #peerAddress}) and promoted.
     */
    public void rejoinAsNonVoter(long id) throws IOException {
        Node n = nodes.get(id);
        String text = Files.readString(n.config);
        String changed;
        if (protocol == Protocol.ZAB) {
            String line = "server." + id + "=" + n.host + ":" + peerPort + ":" + electionPort + "\n";
            changed = text.replace(line, line.replace("\n", ":observer\n"));
        } else {
            changed = text.replace("  election_timeout_min:", "  rejoining_learners: [\"" + n.name() + "\"]\n"
                    + "  election_timeout_min:");
        }
        if (changed.equals(text)) {
            throw new IllegalStateException(n.name() + "'s config " + n.config + " has no line to change");
        }
        Files.writeString(n.config, changed);
    }

    /** The peer address a leader is given to add this member: ZAB {@code host:peerPort:electionPort}, Raft {@code host:port}. */
    public String peerAddress(long id) {
        String host = nodes.get(id).host;
        return protocol == Protocol.ZAB ? host + ":" + peerPort + ":" + electionPort : host + ":" + peerPort;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already synced. */
    public void kill(long id) throws InterruptedException {
        Process p = nodes.get(id).process();
        if (p != null) {
            p.destroyForcibly();
            p.waitFor();
        }
        frozen.remove(id);
    }

    /**
     * SIGSTOP: the process stays, with every socket open, and simply stops answering, as a hung or cut-off
     * machine would: no peer hears a connection close, so only the election timeout can replace it.
     * {@link #kill} ends it afterwards (SIGKILL works on a stopped process).
     */
    public void freeze(long id) throws IOException, InterruptedException {
        Process p = nodes.get(id).process();
        if (p == null || !p.isAlive()) {
            return;
        }
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(p.pid())).inheritIO().start();
        if (stop.waitFor() != 0) {
            throw new IOException("kill -STOP " + p.pid() + " exited with " + stop.exitValue());
        }
        frozen.add(id);
    }

    /** True while the member is stopped by {@link #freeze}. */
    public boolean frozen(long id) {
        return frozen.contains(id);
    }

    /**
     * For a step that failed: every live, unfrozen member's thread dump, status and metrics, and this process's
     * threads, written into {@link #workDir()} with {@code tag} in their names; returns the file names.
     */
    public List<String> captureEvidence(String tag) {
        return FailureEvidence.capture(this, tag);
    }

    /** SIGTERM and wait: the node hands off leadership and exits. Returns the exit code. */
    public int terminate(long id, Duration timeout) throws InterruptedException {
        Process p = nodes.get(id).process();
        if (p == null) {
            return -1;
        }
        p.destroy();
        if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        return p.exitValue();
    }

    /** The node's {@code /v1/status}, or empty when it does not answer quickly. */
    public Optional<StatusReport> status(long id) {
        return ask(id, NodeEndpoint::status);
    }

    /** The node's Prometheus text, or empty. */
    public Optional<String> metrics(long id) {
        return ask(id, NodeEndpoint::metrics);
    }

    /**
     * The node's {@code /v1/status}, asked again until it answers or {@code deadline} passes: for a caller that needs
     * the answer from a node that should be up (one 500 ms ask can miss on a loaded machine).
     */
    public StatusReport statusWithin(long id, Duration deadline) throws InterruptedException {
        return within(id, deadline, "/v1/status", () -> status(id));
    }

    /** The node's Prometheus text, asked again until it answers or {@code deadline} passes (see statusWithin). */
    public String metricsWithin(long id, Duration deadline) throws InterruptedException {
        return within(id, deadline, "/metrics", () -> metrics(id));
    }

    private <T> T within(long id, Duration deadline, String what, java.util.function.Supplier<Optional<T>> ask)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            Optional<T> answer = ask.get();
            if (answer.isPresent()) {
                return answer.get();
            }
            if (System.nanoTime() - end > 0) {
                throw new IllegalStateException("node " + id + " did not answer " + what + " within " + deadline
                        + (nodes.get(id).running() ? "" : " (its process is not running)"));
            }
            Thread.sleep(50);
        }
    }

    public boolean ready(long id) {
        return ask(id, n -> n.readyz().passed()).orElse(false);
    }

    /** A call that must not wait: the node's answer, or empty when it is down, slow (500 ms) or answers an error. */
    private <T> Optional<T> ask(long id, Call<T> call) {
        if (!nodes.get(id).running()) {
            return Optional.empty();
        }
        try {
            return Optional.of(call.on(client.at(clientAddress(id))));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T on(NodeEndpoint node) throws IOException, InterruptedException;
    }

    /**
     * The leader the running nodes agree on: a node that says it leads, in the highest term any
     * running node reports, and whom a majority of the cluster names as leader.
     */
    public Optional<Leader> leader() {
        Map<Long, Integer> votes = new LinkedHashMap<>();
        Map<Long, Long> terms = new LinkedHashMap<>();
        for (Node n : nodes.values()) {
            Optional<StatusReport> st = status(n.id);
            if (st.isEmpty() || st.get().leaderId() == null) {
                continue;
            }
            long leader = Long.parseLong(st.get().leaderId().substring("node-".length()));
            votes.merge(leader, 1, Integer::sum);
            terms.merge(leader, st.get().term(), Math::max);
        }
        int majority = nodes.size() / 2 + 1;
        return votes.entrySet().stream().filter(e -> e.getValue() >= majority)
                .max(Comparator.comparing(e -> terms.get(e.getKey())))
                .map(e -> new Leader(e.getKey(), terms.get(e.getKey())));
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            Process p = n.process();
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Node n : nodes.values()) {
            Process p = n.process();
            if (p != null) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Removes a work directory (data, configs, logs). */
    public record Cleanup(Path dir) implements Runnable {
        @Override
        public void run() {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: it is a temp dir
            }
        }
    }
}
