package dev.ballot.nemesis;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * The faults, one at a time, each held for a while and then healed: SIGKILL (then restart), SIGSTOP (then
 * SIGCONT), a partition (a node cut off both ways, or one-way: a follower that hears its leader but cannot reach
 * it, blackholed), and a full disk (the node's tmpfs filled until a write fails, then emptied). Every fault is
 * logged with its time, so a failing history can be read beside it.
 */
final class Faults {
    enum Kind { KILL, PAUSE, PARTITION, DISK_FULL }

    private final ProxiedCluster cluster;
    private final Random random;
    private final List<Kind> enabled;
    private final PrintStream log;
    private final long startNanos;
    private final Map<Kind, Integer> counts = new TreeMap<>();
    private int diskFullStops;

    Faults(ProxiedCluster cluster, Random random, List<Kind> enabled, PrintStream log, long startNanos) {
        this.cluster = cluster;
        this.random = random;
        this.enabled = List.copyOf(enabled);
        this.log = log;
        this.startNanos = startNanos;
        for (Kind k : Kind.values()) {
            counts.put(k, 0);
        }
    }

    /** Disk-full faults after which the node had stopped (its failed write stopped it, as it must). */
    int diskFullStops() {
        return diskFullStops;
    }

    Map<Kind, Integer> counts() {
        return Map.copyOf(counts);
    }

    private void note(String what) {
        log.printf("%.3f %s%n", (System.nanoTime() - startNanos) / 1e9, what);
        log.flush();
    }

    /** Injects faults until {@code untilNanos}: a quiet gap, then a fault held 0.5-2.5 s, healed, and so on. */
    void run(long untilNanos) throws IOException, InterruptedException {
        while (System.nanoTime() < untilNanos) {
            Thread.sleep(300 + random.nextInt(700));
            if (System.nanoTime() >= untilNanos) {
                break;
            }
            Kind kind = enabled.get(random.nextInt(enabled.size()));
            long hold = 500 + random.nextInt(2000);
            inject(kind, hold);
            counts.merge(kind, 1, Integer::sum);
            restartDead();
        }
        healAll();
    }

    private int pick() {
        // Half the time the leader (when one is known), where most faults hurt.
        Optional<Integer> leader = random.nextBoolean() ? cluster.leader() : Optional.empty();
        return leader.orElseGet(() -> 1 + random.nextInt(cluster.size()));
    }

    private void inject(Kind kind, long holdMs) throws IOException, InterruptedException {
        int node = pick();
        switch (kind) {
            case KILL -> {
                note("kill node-" + node);
                cluster.kill(node);
                Thread.sleep(holdMs);
                note("restart node-" + node);
                cluster.start(node);
            }
            case PAUSE -> {
                note("pause node-" + node + " for " + holdMs + " ms");
                cluster.signal(node, "STOP");
                Thread.sleep(holdMs);
                cluster.signal(node, "CONT");
                note("resume node-" + node);
            }
            case PARTITION -> partition(node, holdMs);
            case DISK_FULL -> diskFull(node, holdMs);
        }
    }

    private void partition(int node, long holdMs) throws IOException, InterruptedException {
        Optional<Integer> leader = cluster.leader();
        List<LinkProxy> affected = new ArrayList<>();
        LinkProxy.Mode mode;
        if (random.nextBoolean() && leader.isPresent() && leader.get() != node) {
            // One-way: this follower hears the leader (leader->node works) but cannot reach it.
            affected.add(cluster.link(node, leader.get()));
            mode = LinkProxy.Mode.BLACKHOLE;
            note("partition one-way: node-" + node + " cannot reach leader node-" + leader.get() + " (blackhole) for "
                    + holdMs + " ms");
        } else {
            for (int other = 1; other <= cluster.size(); other++) {
                if (other != node) {
                    affected.add(cluster.link(node, other));
                    affected.add(cluster.link(other, node));
                }
            }
            mode = random.nextBoolean() ? LinkProxy.Mode.CUT : LinkProxy.Mode.BLACKHOLE;
            note("partition: node-" + node + " isolated (" + mode + ") for " + holdMs + " ms");
        }
        for (LinkProxy l : affected) {
            l.set(mode);
        }
        Thread.sleep(holdMs);
        for (LinkProxy l : affected) {
            l.set(LinkProxy.Mode.OPEN);
        }
        note("partition healed");
    }

    private void diskFull(int node, long holdMs) throws IOException, InterruptedException {
        if (!cluster.hasTmpfs()) {
            throw new IllegalStateException("disk-full needs a tmpfs data directory (run as root)");
        }
        Path filler = cluster.dataDir(node).resolve("nemesis-filler");
        note("disk full on node-" + node + " for " + holdMs + " ms");
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (int i = 0; i < ProxiedCluster.TMPFS_BYTES >> 20; i++) {
                out.write(chunk);
            }
        } catch (IOException e) {
            // No space left: as intended.
        }
        Thread.sleep(holdMs);
        Files.deleteIfExists(filler);
        if (!cluster.running(node)) {
            diskFullStops++;
        }
        note("disk freed on node-" + node + (cluster.running(node) ? "" : " (it had stopped)"));
    }

    /** A node that stopped (a failed fsync stops it on purpose) is started again, as Kubernetes would. */
    void restartDead() throws IOException {
        for (int i = 1; i <= cluster.size(); i++) {
            if (!cluster.running(i)) {
                note("node-" + i + " is down; restarting it");
                cluster.start(i);
            }
        }
    }

    void healAll() throws IOException, InterruptedException {
        for (LinkProxy l : cluster.links()) {
            l.set(LinkProxy.Mode.OPEN);
        }
        for (int i = 1; i <= cluster.size(); i++) {
            cluster.signal(i, "CONT");
            Files.deleteIfExists(cluster.dataDir(i).resolve("nemesis-filler"));
        }
        restartDead();
        note("all healed");
    }
}
