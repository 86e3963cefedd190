package dev.ballot.node.zookeeper;

import dev.ballot.node.demo.MemberClassArchive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Three ballot-node processes forming a ZAB cluster on 127.0.0.1, each serving the ZooKeeper client protocol on its
 * own port (given as the {@code ;127.0.0.1:port} suffix of its server line, as a ZooKeeper 3.9 dynamic-style
 * config does). Killing one is SIGKILL: nothing is flushed, no leadership is handed off.
 */
final class ZabProcessCluster implements AutoCloseable {
    final Map<Long, Integer> clientPorts = new LinkedHashMap<>();
    private final Map<Long, Process> processes = new LinkedHashMap<>();
    private final Map<Long, Path> configs = new LinkedHashMap<>();
    final Path workDir;

    ZabProcessCluster(Path workDir, int size) throws IOException {
        this.workDir = workDir;
        int[] ports = freePorts(size * 4);
        String cluster = "zk-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffff);
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < size; i++) {
            long id = i + 1;
            clientPorts.put(id, ports[4 * i + 2]);
            servers.append("server.").append(id).append("=127.0.0.1:").append(ports[4 * i]).append(':')
                    .append(ports[4 * i + 1]).append(":participant;127.0.0.1:").append(ports[4 * i + 2]).append('\n');
        }
        for (int i = 0; i < size; i++) {
            long id = i + 1;
            Path data = Files.createDirectories(workDir.resolve("node-" + id));
            Files.writeString(data.resolve("myid"), Long.toString(id)); // found as ZooKeeper finds itself
            String cfg = "# zoo.cfg as a ZooKeeper 3.9 operator writes it, plus Ballot's clusterId and HTTP address\n"
                    + "tickTime=100\ninitLimit=10\nsyncLimit=5\n"
                    + "dataDir=" + data + "\n"
                    + "dataLogDir=" + data + "\n"
                    + "clusterId=" + cluster + "\n"
                    + "clientAddress=127.0.0.1:" + ports[4 * i + 3] + "\n"
                    + "maxClientCnxns=100\nminSessionTimeout=1000\nmaxSessionTimeout=30000\n"
                    + "autopurge.snapRetainCount=3\nautopurge.purgeInterval=1\n4lw.commands.whitelist=ruok,srvr,mntr\n"
                    + "admin.enableServer=false\nstandaloneEnabled=false\nreconfigEnabled=false\n"
                    + servers;
            Path file = workDir.resolve("zoo-" + id + ".cfg");
            Files.writeString(file, cfg);
            configs.put(id, file);
        }
    }

    String connectString() {
        return clientPorts.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    String connectString(long id) {
        return "127.0.0.1:" + clientPorts.get(id);
    }

    void startAll() throws IOException {
        for (long id : configs.keySet()) {
            start(id);
        }
    }

    void start(long id) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(MemberClassArchive.ownClasspathArguments());
        cmd.addAll(List.of("dev.ballot.node.cli.BallotNode", "run", "--config", configs.get(id).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("node-" + id + ".log").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("BALLOT_"));
        processes.put(id, pb.start());
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill(long id) throws InterruptedException {
        Process p = processes.get(id);
        p.destroyForcibly();
        p.waitFor();
    }

    boolean alive(long id) {
        Process p = processes.get(id);
        return p != null && p.isAlive();
    }

    /**
     * Starts {@code size} members and waits until each answers ruok and srvr and one leads; prints every member's log
     * when they do not in time.
     */
    static ZabProcessCluster serving(Path workDir, int size) throws IOException {
        ZabProcessCluster cluster = new ZabProcessCluster(workDir, size);
        cluster.startAll();
        try {
            org.awaitility.Awaitility.await().atMost(startupTimeout()).pollInterval(Duration.ofMillis(200)).until(() ->
                    cluster.clientPorts.keySet().stream().allMatch(id -> cluster.fourLetters(id, "ruok").equals("imok")
                            && cluster.fourLetters(id, "srvr").contains("Mode: ")) && cluster.leader() != 0);
        } catch (RuntimeException e) {
            for (long id : cluster.clientPorts.keySet()) {
                System.out.println("---- node " + id + " log\n" + cluster.log(id));
            }
            throw e;
        }
        return cluster;
    }

    /** The member whose srvr says "Mode: leader", 0 when none does. */
    long leader() {
        for (long id : clientPorts.keySet()) {
            if (alive(id) && fourLetters(id, "srvr").contains("Mode: leader")) {
                return id;
            }
        }
        return 0;
    }

    String fourLetters(long id, String word) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), clientPorts.get(id))) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    String log(long id) throws IOException {
        return Files.readString(workDir.resolve("node-" + id + ".log"));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            p.waitFor();
        }
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    static Duration startupTimeout() {
        return Duration.ofSeconds(60);
    }
}
