package dev.ballot.nemesis;

import dev.ballot.node.demo.MemberClassArchive;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Node processes on loopback whose peer links all pass through {@link LinkProxy}s. Node i runs on 127.0.R.i; its
 * configuration names every other member j by the address of the proxy for the link i->j (127.0.R.(10i+j)), so
 * the harness can cut or blackhole each direction of each pair alone. Clients talk to the nodes directly. With
 * root, each data directory is a small tmpfs, so a disk can be filled. Only processes and mounts this class made
 * are ever killed or unmounted.
 */
final class ProxiedCluster implements AutoCloseable {
    static final long TMPFS_BYTES = 64L << 20;

    private final Protocol protocol;
    private final int size;
    private final Path work;
    private final String prefix;
    private final int clientPort;
    private final int peerPort;
    private final int electionPort;
    private final String clusterId;
    private final boolean tmpfs;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Map<String, LinkProxy> links = new LinkedHashMap<>();
    private final List<Path> mounts = new ArrayList<>();
    /** The harness's status probes and the workload's clients share it; each names its own deadline. */
    private final NodeClient nodes = NodeClient.create(Duration.ofMillis(500), Duration.ofMillis(500));

    ProxiedCluster(Protocol protocol, int size, Path work, boolean tmpfs, Random random) throws IOException {
        this.protocol = protocol;
        this.size = size;
        this.work = work;
        this.tmpfs = tmpfs;
        this.prefix = "127.0." + (2 + random.nextInt(248)) + ".";
        int[] ports = freePorts(random);
        this.clientPort = ports[0];
        this.peerPort = ports[1];
        this.electionPort = ports[2];
        this.clusterId = "nemesis-" + protocol.wireName() + "-" + Integer.toHexString(random.nextInt(1 << 24));
        for (int i = 1; i <= size; i++) {
            Path data = Files.createDirectories(work.resolve("node-" + i + "-data"));
            if (tmpfs) {
                run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES, "tmpfs", data.toString());
                mounts.add(data);
            }
            Files.writeString(configPath(i), protocol == Protocol.RAFT ? raftConfig(i, data) : zabConfig(i, data));
        }
        List<Integer> proxied = protocol == Protocol.RAFT ? List.of(clientPort, peerPort)
                : List.of(clientPort, peerPort, electionPort);
        for (int i = 1; i <= size; i++) {
            for (int j = 1; j <= size; j++) {
                if (i != j) {
                    links.put(i + ">" + j, new LinkProxy(i + ">" + j, linkHost(i, j), host(j), proxied).start());
                }
            }
        }
    }

    int size() {
        return size;
    }

    Protocol protocol() {
        return protocol;
    }

    Path work() {
        return work;
    }

    Path dataDir(int node) {
        return work.resolve("node-" + node + "-data");
    }

    boolean hasTmpfs() {
        return tmpfs;
    }

    String host(int node) {
        return prefix + node;
    }

    private String linkHost(int from, int to) {
        return prefix + (10 * from + to);
    }

    /** Where node {@code from} reaches node {@code to}: itself directly, others through their link's proxy. */
    private String seen(int from, int to) {
        return from == to ? host(to) : linkHost(from, to);
    }

    String clientAddress(int node) {
        return host(node) + ":" + clientPort;
    }

    LinkProxy link(int from, int to) {
        return links.get(from + ">" + to);
    }

    List<LinkProxy> links() {
        return List.copyOf(links.values());
    }

    private Path configPath(int node) {
        return work.resolve(protocol == Protocol.RAFT ? "node-" + node + ".yaml" : "node-" + node + ".cfg");
    }

    private String raftConfig(int self, Path data) {
        StringBuilder sb = new StringBuilder("raft:\n");
        sb.append("  cluster_id: \"").append(clusterId).append("\"\n");
        sb.append("  node_id: \"node-").append(self).append("\"\n");
        sb.append("  listen_address: \"").append(host(self)).append(':').append(peerPort).append("\"\n");
        sb.append("  peers:\n");
        for (int j = 1; j <= size; j++) {
            sb.append("    - \"").append(seen(self, j)).append(':').append(peerPort).append("\"\n");
        }
        sb.append("  election_timeout_min: \"150ms\"\n  election_timeout_max: \"300ms\"\n  heartbeat_interval: \"50ms\"\n");
        sb.append("  client_address: \"").append(host(self)).append(':').append(clientPort).append("\"\n");
        sb.append("  data_dir: \"").append(data.toAbsolutePath()).append("\"\n");
        return sb.toString();
    }

    private String zabConfig(int self, Path data) {
        StringBuilder sb = new StringBuilder("tickTime=50\ninitLimit=10\nsyncLimit=4\n");
        sb.append("dataDir=").append(data.toAbsolutePath()).append('\n');
        sb.append("clusterId=").append(clusterId).append('\n');
        sb.append("nodeId=node-").append(self).append('\n');
        sb.append("bindHost=").append(host(self)).append('\n');
        sb.append("clientAddress=").append(host(self)).append(':').append(clientPort).append('\n');
        for (int j = 1; j <= size; j++) {
            sb.append("server.").append(j).append('=').append(seen(self, j)).append(':').append(peerPort)
                    .append(':').append(electionPort).append('\n');
        }
        return sb.toString();
    }

    /** Three ports free on every node and proxy address. */
    private int[] freePorts(Random random) throws IOException {
        List<String> hosts = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            hosts.add(host(i));
            for (int j = 1; j <= size; j++) {
                if (i != j) {
                    hosts.add(linkHost(i, j));
                }
            }
        }
        int[] out = new int[3];
        int found = 0;
        for (int attempt = 0; attempt < 500 && found < 3; attempt++) {
            int port = 20_000 + random.nextInt(25_000);
            boolean free = true;
            for (int k = 0; k < found; k++) {
                free &= out[k] != port;
            }
            for (String h : hosts) {
                if (!free) {
                    break;
                }
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(h), port));
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                out[found++] = port;
            }
        }
        if (found < 3) {
            throw new IOException("no 3 ports free on " + prefix + "*");
        }
        return out;
    }

    void start(int node) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"));
        cmd.addAll(MemberClassArchive.ownClasspathArguments());
        cmd.addAll(List.of("dev.ballot.node.cli.BallotNode", "run", "--config", configPath(node).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("node-" + node + ".log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("BALLOT_"));
        processes.put(node, pb.start());
    }

    boolean running(int node) {
        Process p = processes.get(node);
        return p != null && p.isAlive();
    }

    void kill(int node) throws InterruptedException {
        Process p = processes.get(node);
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    void signal(int node, String signal) throws IOException, InterruptedException {
        Process p = processes.get(node);
        if (p != null && p.isAlive()) {
            run("kill", "-" + signal, Long.toString(p.pid()));
        }
    }

    /** The node API of member {@code node}, reached directly (not through the link proxies). */
    NodeEndpoint node(int node) {
        return nodes.at(clientAddress(node));
    }

    Optional<StatusReport> status(int node) {
        try {
            return Optional.of(node(node).status());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The node a majority names as leader, if any. */
    Optional<Integer> leader() {
        Map<Integer, Integer> votes = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            status(i).map(StatusReport::leaderId).filter(l -> l.startsWith("node-"))
                    .ifPresent(l -> votes.merge(Integer.parseInt(l.substring(5)), 1, Integer::sum));
        }
        return votes.entrySet().stream().filter(e -> e.getValue() > size / 2).map(Map.Entry::getKey).findFirst();
    }

    static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (LinkProxy l : links.values()) {
            l.close();
        }
        for (Path m : mounts) {
            try {
                run("umount", m.toString());
            } catch (IOException e) {
                System.err.println("nemesis: could not unmount " + m + ": " + e.getMessage());
            }
        }
    }
}
