package dev.ballot.node.storage;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.HardState;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Ready;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Measures the write-ahead log: fsync latency (p50, p99, max) and entries per second for a batch size.
 * <pre>java -cp node-image/target/ballot-node.jar dev.ballot.node.storage.StorageBenchmark \
 *     [--dir DIR] [--batch 1,16,128] [--seconds 5] [--entry-bytes 256]</pre>
 * The directory should be on the disk the node will use; by default a temp directory (deleted afterwards).
 */
public final class StorageBenchmark {
    private StorageBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        int[] batches = {1, 16, 128};
        double seconds = 5;
        int entryBytes = 256;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--dir" -> dir = Path.of(v);
                case "--batch" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                case "--seconds" -> seconds = Double.parseDouble(v);
                case "--entry-bytes" -> entryBytes = Integer.parseInt(v);
                default -> {
                    System.err.println("unknown argument " + a
                            + "; usage: StorageBenchmark [--dir DIR] [--batch 1,16,128] [--seconds 5] [--entry-bytes 256]");
                    System.exit(2);
                }
            }
            i++;
        }
        boolean temp = dir == null;
        Path base = temp ? Files.createTempDirectory("ballot-storage-bench-") : dir;
        System.out.printf("storage benchmark: dir=%s entry=%dB duration=%.1fs per batch size, java %s%n", base, entryBytes,
                seconds, System.getProperty("java.version"));
        System.out.printf("%8s %10s %12s %12s %12s %12s %14s %10s%n", "batch", "persists", "fsync p50", "fsync p99",
                "fsync max", "persist p99", "entries/s", "MB/s");
        try {
            for (int batch : batches) {
                run(base.resolve("batch-" + batch), batch, seconds, entryBytes);
            }
        } finally {
            if (temp) {
                try (Stream<Path> s = Files.walk(base)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    private static void run(Path dir, int batch, double seconds, int entryBytes) throws Exception {
        List<Long> fsyncs = new ArrayList<>();
        List<Long> persists = new ArrayList<>();
        byte[] data = new byte[entryBytes];
        Arrays.fill(data, (byte) 'x');
        long index = 1;
        long entries = 0;
        try (FileNodeStorage storage = FileNodeStorage.open(dir, "bench", 1, fsyncs::add)) {
            fsyncs.clear();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                List<LogEntry> list = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    list.add(new LogEntry(index++, 1, EntryType.COMMAND, data));
                }
                long t0 = System.nanoTime();
                storage.persist(new Ready(new HardState(1, 1, index - 1, 0), Ready.NO_TRUNCATION, list, null, List.of(),
                        List.of(), List.of()));
                now = System.nanoTime();
                persists.add(now - t0);
                entries += batch;
            }
            double elapsed = (now - start) / 1e9;
            System.out.printf("%8d %10d %10.0fus %10.0fus %10.0fus %10.0fus %14.0f %10.2f%n", batch, persists.size(),
                    pct(fsyncs, 50) / 1e3, pct(fsyncs, 99) / 1e3, pct(fsyncs, 100) / 1e3, pct(persists, 99) / 1e3,
                    entries / elapsed, entries * (double) entryBytes / elapsed / 1e6);
        }
    }

    private static double pct(List<Long> values, double p) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
