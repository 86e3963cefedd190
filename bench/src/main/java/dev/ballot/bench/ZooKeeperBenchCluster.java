package dev.ballot.bench;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Version;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Three ZooKeeper servers ({@code QuorumPeerMain}, the version on this module's class path) on
 * 127.0.0.1, with the timing of Ballot's ZAB demo: tickTime 50 ms, initLimit 10, syncLimit 4.
 * Writes are {@code create} of a new znode; a linearizable read is ZooKeeper's idiom, {@code sync}
 * then {@code getData}.
 *
 * <p>With {@code --tls}: each server also serves a {@code secureClientPort} (client certificates required, ZooKeeper's
 * default) and talks to the others over quorum TLS ({@code sslQuorum}), with certificates from a CA of its own
 * ({@link BenchTls}); the bench's sessions use the secure port, the {@code srvr} checks the plain one. The secure port
 * needs ZooKeeper's Netty connection factory, which then serves the plain port too (without TLS the default NIO one).
 */
final class ZooKeeperBenchCluster extends ExternalBenchCluster {
    static final int TICK_MS = 50;
    static final int INIT_LIMIT = 10;
    static final int SYNC_LIMIT = 4;
    static final int SESSION_TIMEOUT_MS = 4000;
    /** Closing a session waits for the server; never on the measured path. */
    private static final ExecutorService CLOSER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "zk-close");
        t.setDaemon(true);
        return t;
    });

    private final List<String> jvmOptions;
    private final int[] clientPorts;
    private final int[] quorumPorts;
    private final int[] electionPorts;
    private final int[] securePorts;
    /** With {@code --tls}: the certificates' directory (server/, client/), else null. */
    private final Path certs;

    ZooKeeperBenchCluster(Path workDir, List<String> jvmOptions) throws IOException {
        this(workDir, jvmOptions, false);
    }

    ZooKeeperBenchCluster(Path workDir, List<String> jvmOptions, boolean tls) throws IOException {
        super(workDir);
        this.certs = tls ? BenchTls.issue(workDir.resolve("tls"), "zookeeper") : null;
        this.jvmOptions = tls ? concat(jvmOptions, BenchTls.zooKeeperServerProperties(certs.resolve("server")))
                : List.copyOf(jvmOptions);
        int[] p = LocalPorts.free(12);
        clientPorts = new int[] {p[0], p[1], p[2]};
        quorumPorts = new int[] {p[3], p[4], p[5]};
        electionPorts = new int[] {p[6], p[7], p[8]};
        securePorts = new int[] {p[9], p[10], p[11]};
        for (int i = 0; i < 3; i++) {
            Path data = Files.createDirectories(workDir.resolve("zk" + (i + 1)));
            Files.writeString(data.resolve("myid"), Integer.toString(i + 1));
            Files.writeString(workDir.resolve("zk" + (i + 1) + ".cfg"), config(i, data));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private String config(int member, Path data) {
        StringBuilder sb = new StringBuilder();
        sb.append("tickTime=").append(TICK_MS).append('\n');
        sb.append("initLimit=").append(INIT_LIMIT).append('\n');
        sb.append("syncLimit=").append(SYNC_LIMIT).append('\n');
        sb.append("dataDir=").append(data.toAbsolutePath()).append('\n');
        sb.append("clientPort=").append(clientPorts[member]).append('\n');
        sb.append("clientPortAddress=127.0.0.1\n");
        sb.append("maxSessionTimeout=").append(SESSION_TIMEOUT_MS * 2).append('\n');
        sb.append("admin.enableServer=false\n");
        // unlimited sessions per client address (default 60): 64 concurrent clients and hedged failover attempts
        // all come from 127.0.0.1, as etcd's and Ballot's do, which have no such limit
        sb.append("maxClientCnxns=0\n");
        sb.append("4lw.commands.whitelist=srvr\n");
        if (certs != null) {
            sb.append("secureClientPort=").append(securePorts[member]).append('\n');
            sb.append("secureClientPortAddress=127.0.0.1\n");
            sb.append("sslQuorum=true\n");
        }
        for (int i = 0; i < 3; i++) {
            sb.append("server.").append(i + 1).append("=127.0.0.1:").append(quorumPorts[i]).append(':')
                    .append(electionPorts[i]).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String system() {
        return Report.ZOOKEEPER;
    }

    @Override
    public String describe() {
        return "ZooKeeper " + Version.getFullVersion() + " tickTime=" + TICK_MS + "ms initLimit=" + INIT_LIMIT
                + " syncLimit=" + SYNC_LIMIT + " forceSync=yes"
                + (certs != null ? " tls=on (secureClientPort with client certificates, sslQuorum, Netty factory) clients=127.0.0.1:"
                        + securePorts[0] + "," + securePorts[1] + "," + securePorts[2]
                        : " tls=off clients=127.0.0.1:" + clientPorts[0] + "," + clientPorts[1] + "," + clientPorts[2]);
    }

    @Override
    public void restart(int member) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        // -Dbench.zookeeper.logLevel=info (on bench/run's java) shows election timings in zkN.log
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("bench.zookeeper.logLevel", "warn"));
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        cmd.add("-Dzookeeper.admin.enableServer=false");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
        cmd.add(workDir.resolve("zk" + (member + 1) + ".cfg").toString());
        processes.start(member, cmd, workDir.resolve("zk" + (member + 1) + ".log"));
    }

    /** The {@code srvr} four-letter word answers {@code Mode: leader} once this server has won an election. */
    @Override
    public boolean claimsLeadership(int member, Duration timeout) {
        return "leader".equals(mode(member, (int) Math.max(1, timeout.toMillis())));
    }

    String mode(int member) {
        return mode(member, 500);
    }

    /** The {@code Mode:} the server reports to the {@code srvr} four-letter word, or null. */
    String mode(int member, int timeoutMs) {
        if (!processes.alive(member)) {
            return null;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), clientPorts[member]), Math.min(200, timeoutMs));
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> l.startsWith("Mode: ")).map(l -> l.substring(6).trim()).findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public boolean healthy() {
        int leaders = 0;
        for (int i = 0; i < 3; i++) {
            String m = mode(i);
            if (m == null || !(m.equals("leader") || m.equals("follower"))) {
                return false;
            }
            leaders += m.equals("leader") ? 1 : 0;
        }
        return leaders == 1;
    }

    @Override
    public OptionalInt leader() {
        for (int i = 0; i < 3; i++) {
            if ("leader".equals(mode(i))) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public KvSession session(int member) throws IOException {
        return certs != null
                ? session("127.0.0.1:" + securePorts[member], BenchTls.zooKeeperClient(certs.resolve("client")))
                : session("127.0.0.1:" + clientPorts[member], withoutSasl());
    }

    /**
     * The client's settings: SASL off (no system here uses it). With SASL on, the default, every new client looks up
     * its server's host name before it connects (the SASL principal); for an address without a name (Ballot's members
     * listen on 127.0.R.x, ZooKeeper's on 127.0.0.1, which /etc/hosts names) that is a reverse DNS query, and on this
     * machine a burst of them held new clients back for over a second after a failover: bench 2026-12-07, ZAB freeze
     * "first ack" 2-4 s while the members were idle (docs/bench.md).
     */
    static org.apache.zookeeper.client.ZKClientConfig withoutSasl() {
        org.apache.zookeeper.client.ZKClientConfig config = new org.apache.zookeeper.client.ZKClientConfig();
        config.setProperty(org.apache.zookeeper.client.ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        return config;
    }

    /**
     * A ZooKeeper Java client session on {@code connect}, for ZooKeeper and Ballot's ZooKeeper port alike, with
     * {@code config} ({@link #withoutSasl}, or {@link BenchTls#zooKeeperClient} for a secure port).
     */
    static KvSession session(String connect, org.apache.zookeeper.client.ZKClientConfig config) throws IOException {
        ZooKeeper zk = new ZooKeeper(connect, SESSION_TIMEOUT_MS, event -> {
        }, config);
        return new KvSession() {
            @Override
            public void put(String key, byte[] value, Duration timeout) throws Exception {
                CompletableFuture<Integer> rc = new CompletableFuture<>();
                zk.create("/" + key, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                        (code, path, ctx, name) -> rc.complete(code), null);
                check(rc.get(timeout.toNanos(), TimeUnit.NANOSECONDS), "create /" + key);
            }

            @Override
            public byte[] linearizableGet(String key, Duration timeout) throws Exception {
                long deadline = System.nanoTime() + timeout.toNanos();
                CompletableFuture<Integer> synced = new CompletableFuture<>();
                zk.sync("/" + key, (code, path, ctx) -> synced.complete(code), null);
                check(synced.get(timeout.toNanos(), TimeUnit.NANOSECONDS), "sync /" + key);
                CompletableFuture<byte[]> data = new CompletableFuture<>();
                zk.getData("/" + key, false, (code, path, ctx, bytes, stat) -> {
                    if (code == KeeperException.Code.OK.intValue()) {
                        data.complete(bytes);
                    } else {
                        data.completeExceptionally(KeeperException.create(KeeperException.Code.get(code), path));
                    }
                }, null);
                return data.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }

            @Override
            public void close() {
                CLOSER.execute(() -> {
                    try {
                        zk.close(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        };
    }

    private static void check(int code, String what) throws KeeperException {
        if (code != KeeperException.Code.OK.intValue()) {
            throw KeeperException.create(KeeperException.Code.get(code), what);
        }
    }
}
