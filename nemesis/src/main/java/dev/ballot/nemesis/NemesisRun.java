package dev.ballot.nemesis;

import dev.ballot.engine.Protocol;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One nemesis run on one protocol: start a proxied cluster, run the clients, inject faults for the given time,
 * heal, read every key, then check the history (linearizable, three-valued) and the clients' own acknowledged
 * writes (none lost). Prints one line:
 * {@code nemesis protocol=raft ops=N faults=kill:K,pause:P,partition:Q,disk-full:D linearizable=true lost=0}.
 * A run that does not pass keeps its directory (history.jsonl, faults.log, node logs) and prints the command that
 * checks the history again.
 */
final class NemesisRun {
    record Settings(Protocol protocol, int nodes, int clients, int keys, Duration faults, long seed, Path out,
                    List<Faults.Kind> kinds) {
    }

    record Result(String line, RegisterChecker.Result check, int lost, int ops, Path dir) {
        boolean passed() {
            return check.linearizable() && lost == 0;
        }
    }

    private NemesisRun() {
    }

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    static Result run(Settings s) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(s.out().resolve(s.protocol().wireName() + "-" + s.seed()));
        Random random = new Random(s.seed());
        List<Faults.Kind> kinds = new ArrayList<>(s.kinds());
        boolean tmpfs = kinds.contains(Faults.Kind.DISK_FULL) && root();
        if (!tmpfs) {
            kinds.remove(Faults.Kind.DISK_FULL);
        }
        long start = System.nanoTime();
        Map<String, String> lost = new TreeMap<>();
        History history;
        Map<Faults.Kind, Integer> counts;
        int ownAcked;
        int diskFullStops;
        try (ProxiedCluster cluster = new ProxiedCluster(s.protocol(), s.nodes(), dir, tmpfs, random);
             PrintStream faultLog = new PrintStream(Files.newOutputStream(dir.resolve("faults.log")), true)) {
            for (int i = 1; i <= s.nodes(); i++) {
                cluster.start(i);
            }
            awaitLeader(cluster, Duration.ofSeconds(60));
            Faults faults = new Faults(cluster, random, kinds, faultLog, start);
            Workload load = new Workload(cluster, s.keys(), start).start(s.clients(), s.seed());
            try {
                faults.run(System.nanoTime() + s.faults().toNanos());
                awaitLeader(cluster, Duration.ofSeconds(60));
                Thread.sleep(1000); // quiet time under load: writes that were in doubt settle
            } finally {
                load.close();
            }
            // Final reads: part of the history, so a lost or resurrected write shows up as a violation.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (String key : load.keys()) {
                load.read(s.clients(), 1 + random.nextInt(s.nodes()), key);
            }
            for (Map.Entry<String, String> w : load.ackedOwnWrites().entrySet()) {
                Workload.Answer a = load.readUntilAnswered(w.getKey(), deadline);
                if (a == null || a.status() != 200 || !w.getValue().equals(a.body())) {
                    lost.put(w.getKey(), w.getValue() + " -> " + (a == null ? "no answer" : a.status() + " " + a.body()));
                }
            }
            history = load.history();
            counts = faults.counts();
            ownAcked = load.ackedOwnWrites().size();
            diskFullStops = faults.diskFullStops();
        }
        history.write(dir.resolve("history.jsonl"));
        RegisterChecker.Result check = RegisterChecker.check(history.ops());
        int ops = history.ops().size();
        String line = "nemesis protocol=" + s.protocol().wireName() + " ops=" + ops
                + " faults=kill:" + counts.get(Faults.Kind.KILL) + ",pause:" + counts.get(Faults.Kind.PAUSE)
                + ",partition:" + counts.get(Faults.Kind.PARTITION) + ",disk-full:" + counts.get(Faults.Kind.DISK_FULL)
                + (tmpfs || !s.kinds().contains(Faults.Kind.DISK_FULL) ? "" : "(needs root)")
                + " linearizable=" + switch (check.verdict()) {
                    case LINEARIZABLE -> "true";
                    case NOT_LINEARIZABLE -> "false";
                    case UNKNOWN -> "unknown";
                } + " lost=" + lost.size() + " seed=" + s.seed() + " seconds=" + s.faults().toSeconds();
        System.out.println(line);
        System.out.println("nemesis protocol=" + s.protocol().wireName() + " outcomes " + tally(history.ops())
                + " own_writes_acked=" + ownAcked + " disk_full_stopped_node=" + diskFullStops);
        Result result = new Result(line, check, lost.size(), ops, dir);
        if (!result.passed()) {
            System.out.println("nemesis: " + check.verdict() + ": " + check.detail());
            lost.forEach((k, v) -> System.out.println("nemesis: lost acknowledged write " + k + "=" + v));
            System.out.println("nemesis: kept " + dir + " (history.jsonl, faults.log, node logs); check it again with: "
                    + "mvn -B -o -pl nemesis -am test -Dtest=ReplayHistoryTest -Dsurefire.failIfNoSpecifiedTests=false "
                    + "-Dnemesis.history=" + dir.resolve("history.jsonl"));
        } else {
            deleteQuietly(dir);
        }
        return result;
    }

    /** Per operation and outcome, with the error codes: {@code write:ok=N,info(outcome_unknown)=M,...}. */
    static String tally(List<History.Op> ops) {
        Map<String, Integer> t = new TreeMap<>();
        for (History.Op op : ops) {
            String key = op.f() + ":" + op.outcome() + (op.error() == null || op.ok() ? "" : "(" + op.error() + ")");
            t.merge(key.length() > 60 ? key.substring(0, 60) + "...)" : key, 1, Integer::sum);
        }
        return t.toString();
    }

    private static void awaitLeader(ProxiedCluster cluster, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.leader().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("no leader within " + timeout.toSeconds() + " s; node logs in " + cluster.work());
            }
            Thread.sleep(50);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory
        }
    }
}
