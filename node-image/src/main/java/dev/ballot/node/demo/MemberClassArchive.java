package dev.ballot.node.demo;

import dev.ballot.engine.Protocol;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A class-data-sharing archive for the member JVMs this process starts (the demo, the process tests, the nemesis, the
 * e2e run's local pods). A member's start is mostly loading and verifying its ~5,800 classes: 1.5-1.9 s of CPU per
 * member on the 2-core machine, where CI's tests start hundreds of members; from an archive, about a third less
 * (docs/e2e.md, "CI time"). The archive is the JDK's dynamic kind ({@code -XX:ArchiveClassesAtExit}), made once per
 * class path by a training run: a one-member Raft cluster with the etcd API, started until it leads, then stopped.
 * The JDK archives classes from jars only, so each directory on the class path (a build's target/classes) is replaced
 * by a jar of its contents ({@link DirectoryJars}).
 *
 * <p>It lives in the user's cache ({@code $XDG_CACHE_HOME/ballot/cds} or {@code ~/.cache/ballot/cds}), never in a
 * shared temp directory: an archive is code the JVM trusts. Its name is a digest of the JVM and of every class-path
 * entry with its size and modification time, so a rebuilt jar gets a new one. Two processes that need the same archive
 * at once take turns on a file lock; the second finds it made. Anything that goes wrong (no cache directory, a training
 * run that fails) leaves members starting as before, without an archive; {@code -Dballot.cds=false} turns it off.
 */
public final class MemberClassArchive {
    /** Every JVM option that keeps the JDK quiet about an archive it cannot use (a jar changed under it). */
    static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    private static final Duration TRAINING_DEADLINE = Duration.ofSeconds(60);
    private static final Duration KEEP_OLD = Duration.ofDays(2);
    private static final Map<String, List<String>> READY = new ConcurrentHashMap<>();

    private MemberClassArchive() {
    }

    /**
     * What puts a member JVM on {@code classpath}: {@code -XX:SharedArchiveFile=...} and the quiet flags when an archive
     * is ready (made now if there is none), then {@code -cp} with the same class path, each directory replaced by a jar
     * of its contents. Without an archive, the class path as given.
     */
    public static List<String> classpathArguments(String classpath) {
        return classpathArguments(classpath, directory());
    }

    /** {@link #classpathArguments(String)} with the archives kept in {@code dir}. */
    static List<String> classpathArguments(String classpath, Path dir) {
        if ("false".equals(System.getProperty("ballot.cds"))) {
            return List.of("-cp", classpath);
        }
        return READY.computeIfAbsent(dir + File.pathSeparator + classpath, k -> prepare(classpath, dir));
    }

    /** {@link #classpathArguments} for this JVM's own class path. */
    public static List<String> ownClasspathArguments() {
        return classpathArguments(System.getProperty("java.class.path"));
    }

    private static List<String> prepare(String classpath, Path dir) {
        try {
            Files.createDirectories(dir);
            // One process at a time makes jars and archives; the next finds them made.
            try (FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                String jarred = DirectoryJars.jarEveryDirectory(classpath, dir.resolve("classes"));
                Path archive = dir.resolve(key(jarred) + ".jsa");
                if (!Files.isRegularFile(archive)) {
                    System.err.println("ballot: making a class-data-sharing archive for member JVMs in " + dir
                            + " (once per build of the class path, about 10 s)");
                    train(jarred, archive);
                    removeOlderThan(dir, KEEP_OLD, archive);
                    removeOlderThan(dir.resolve("classes"), KEEP_OLD, null);
                }
                List<String> args = new ArrayList<>();
                args.add("-XX:SharedArchiveFile=" + archive);
                args.addAll(QUIET);
                args.add("-cp");
                args.add(jarred);
                return List.copyOf(args);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("ballot: member JVMs start without a class-data-sharing archive (" + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.of("-cp", classpath);
    }

    /** The archive's name: the JVM, and every entry with its size and modification time (what the JDK checks too). */
    static String key(String classpath) {
        StringBuilder text = new StringBuilder(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : classpath.split(File.pathSeparator)) {
            File f = new File(entry);
            text.append(entry).append(' ').append(f.length()).append(' ').append(f.lastModified()).append('\n');
        }
        return DirectoryJars.shortDigest(text.toString());
    }

    /** {@code $XDG_CACHE_HOME/ballot/cds}, or {@code ~/.cache/ballot/cds}. */
    static Path directory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("ballot").resolve("cds");
    }

    /**
     * One member started with {@code -XX:ArchiveClassesAtExit}, serving HTTP and the etcd API, elected, ready, then
     * stopped with SIGTERM; the JVM writes the classes it loaded as it exits (3-4 s). The archive appears under its
     * final name only when complete.
     */
    private static void train(String classpath, Path archive) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("ballot-cds-training");
        Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        long deadline = System.nanoTime() + TRAINING_DEADLINE.toNanos();
        try (LocalCluster cluster = new LocalCluster(Protocol.RAFT, 1, DemoTiming.SEED, work,
                List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:ArchiveClassesAtExit=" + partial))) {
            cluster.useClasspathArguments(List.of("-cp", classpath));
            cluster.enableEtcd();
            cluster.startAll();
            // Leading and ready: the member's transport, HTTP API, etcd gRPC server and storage have all started.
            while (cluster.leader().isEmpty() || !cluster.ready(1)) {
                if (System.nanoTime() > deadline || !cluster.node(1).running()) {
                    throw new IOException("the training member was not a ready leader within "
                            + TRAINING_DEADLINE.toSeconds() + " s; its log: " + cluster.node(1).log());
                }
                Thread.sleep(50); // bounded by the deadline: the member is starting
            }
            int exit = cluster.terminate(1, Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1)));
            if (exit != 0 || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
                throw new IOException("the training member exited with " + exit + " and left no archive; its log: "
                        + cluster.node(1).log());
            }
        }
        DirectoryJars.publish(partial, archive);
        new LocalCluster.Cleanup(work).run();
    }

    /** Earlier builds' archives (about 37 MB each) and class jars go when a new archive is made. */
    private static void removeOlderThan(Path dir, Duration age, Path keep) {
        long before = System.currentTimeMillis() - age.toMillis();
        try (var files = Files.list(dir)) {
            files.filter(p -> !p.equals(keep) && Files.isRegularFile(p) && p.toFile().lastModified() < before)
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // what is left behind costs disk space only
        }
    }
}
