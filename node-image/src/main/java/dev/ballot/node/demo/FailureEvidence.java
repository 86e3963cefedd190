package dev.ballot.node.demo;

import dev.ballot.nodeapi.NodeJson;
import dev.ballot.nodeapi.StatusReport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a failed demo step leaves behind to be diagnosed from: for every member that runs and is not frozen, its
 * threads ({@code jcmd <pid> Thread.print}), its {@code /v1/status} and its {@code /metrics}; and the demo's own
 * threads (the writers and their HTTP client are half of any "no write was acknowledged"). A frozen member is
 * left alone: attaching to a stopped JVM would hang, and its state is known (it runs nothing).
 */
final class FailureEvidence {
    /** jcmd attaches through a signal the target JVM must answer; under heavy load that can take seconds. */
    private static final long JCMD_SECONDS = 20;

    private FailureEvidence() {
    }

    /** Writes the evidence into the cluster's work directory; returns the file names written. */
    static List<String> capture(LocalCluster cluster, String tag) {
        List<String> written = new ArrayList<>();
        Path dir = cluster.workDir();
        for (LocalCluster.Node n : cluster.nodes()) {
            if (!n.running() || cluster.frozen(n.id())) {
                continue;
            }
            threadDump(n.process().pid(), dir.resolve(n.name() + "-threads-" + tag + ".txt")).ifPresent(written::add);
            Optional<StatusReport> status = cluster.status(n.id());
            status.flatMap(s -> write(dir.resolve(n.name() + "-status-" + tag + ".json"), json(s))).ifPresent(written::add);
            cluster.metrics(n.id()).flatMap(m -> write(dir.resolve(n.name() + "-metrics-" + tag + ".txt"), m))
                    .ifPresent(written::add);
        }
        write(dir.resolve("demo-threads-" + tag + ".txt"), ownThreads()).ifPresent(written::add);
        write(dir.resolve("probes-" + tag + ".txt"), probes(cluster) + "\n" + sockets(cluster)).ifPresent(written::add);
        return written;
    }

    /**
     * Per live member, a status read and a write on a new connection with a generous deadline, timed: whether the
     * member serves at all when a client waits long enough (the writers' attempts give up after a few hundred ms,
     * TLS handshake included).
     */
    private static String probes(LocalCluster cluster) {
        StringBuilder sb = new StringBuilder();
        for (LocalCluster.Node n : cluster.nodes()) {
            if (!n.running() || cluster.frozen(n.id())) {
                continue;
            }
            sb.append(n.name()).append(": ");
            probe(sb, "status", () -> cluster.freshClient(PROBE_DEADLINE).at(cluster.clientAddress(n.id())).status().role());
            probe(sb, "put", () -> Long.toString(cluster.freshClient(PROBE_DEADLINE).at(cluster.clientAddress(n.id()))
                    .put("demo-probe/" + n.name() + "/" + System.nanoTime(), "probe")));
            sb.append('\n');
        }
        return sb.toString();
    }

    private static final java.time.Duration PROBE_DEADLINE = java.time.Duration.ofSeconds(10);

    private interface Probe {
        String run() throws IOException, InterruptedException;
    }

    private static void probe(StringBuilder sb, String what, Probe p) {
        long t0 = System.nanoTime();
        String outcome;
        try {
            outcome = p.run();
        } catch (IOException e) {
            outcome = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        sb.append(what).append(" on a new connection: ").append(outcome).append(" in ")
                .append((System.nanoTime() - t0) / 1_000_000).append(" ms; ");
    }

    /** This machine's TCP sockets on the members' client port ({@code ss -tan}): how many connections, in which state. */
    private static String sockets(LocalCluster cluster) {
        String port = ":" + cluster.clientAddress(cluster.nodes().get(0).id()).replaceAll(".*:", "");
        try {
            Process p = new ProcessBuilder("ss", "-tan").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(5, TimeUnit.SECONDS);
            StringBuilder sb = new StringBuilder("ss -tan, lines naming port " + port + ":\n");
            java.util.Map<String, Integer> states = new java.util.TreeMap<>();
            for (String line : out.split("\n")) {
                if (line.contains(port + " ")) {
                    sb.append(line).append('\n');
                    states.merge(line.trim().split("\\s+")[0], 1, Integer::sum);
                }
            }
            return "sockets by state: " + states + "\n" + sb;
        } catch (IOException e) {
            return "cannot run ss -tan: " + e.getMessage() + "\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted\n";
        }
    }

    private static Optional<String> threadDump(long pid, Path to) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> cmd = List.of(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), "Thread.print");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(to.toFile()).start();
            if (!p.waitFor(JCMD_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Files.writeString(to, "\n(jcmd did not finish within " + JCMD_SECONDS + " s)\n",
                        java.nio.file.StandardOpenOption.APPEND);
            }
            return Optional.of(to.getFileName().toString());
        } catch (IOException e) {
            return write(to, "cannot run " + String.join(" ", cmd) + ": " + e.getMessage() + "\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String json(StatusReport s) {
        try {
            return NodeJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(s);
        } catch (IOException e) {
            return "cannot write the status as JSON: " + e.getMessage() + "\n" + s;
        }
    }

    /** Every thread of this JVM with its whole stack and the locks it holds or waits for. */
    static String ownThreads() {
        StringBuilder sb = new StringBuilder();
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            sb.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                sb.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                sb.append(" owned by \"").append(t.getLockOwnerName()).append('"');
            }
            sb.append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                sb.append("\tat ").append(e).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static Optional<String> write(Path to, String text) {
        try {
            Files.writeString(to, text, StandardCharsets.UTF_8);
            return Optional.of(to.getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
