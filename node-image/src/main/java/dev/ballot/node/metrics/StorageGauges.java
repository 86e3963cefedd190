package dev.ballot.node.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How much disk the member uses and has left, read at scrape time: the bytes under its data directory (log
 * segments, snapshots, hard state) and the free and total bytes of the volume that holds it. A full volume
 * stops the member (an fsync that fails stops the driver), so these feed the "disk near full" alerts. The node
 * has no keyspace quota of its own (docs/node-api.md, Limits): the volume is the limit.
 */
final class StorageGauges {
    private StorageGauges() {
    }

    static void register(PrometheusRegistry registry, Path dataDir) {
        GaugeWithCallback.builder().name("ballot_storage_bytes")
                .help("Bytes in this member's data directory (log segments, snapshots, hard state)")
                .callback(cb -> cb.call(directoryBytes(dataDir))).register(registry);
        volumeGauge(registry, dataDir, "ballot_storage_volume_free_bytes",
                "Bytes this member can still write on the volume of its data directory", FileStore::getUsableSpace);
        volumeGauge(registry, dataDir, "ballot_storage_volume_size_bytes",
                "Size of the volume of this member's data directory", FileStore::getTotalSpace);
    }

    /** One figure of a volume, as {@link FileStore} reads it. */
    @FunctionalInterface
    private interface VolumeFigure {
        long read(FileStore store) throws IOException;
    }

    /** A gauge of the data directory's volume: no sample when the volume cannot be read, NaN when the figure cannot. */
    private static void volumeGauge(PrometheusRegistry registry, Path dataDir, String name, String help,
                                    VolumeFigure figure) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            FileStore store = store(dataDir);
            if (store != null) {
                try {
                    cb.call(figure.read(store));
                } catch (IOException e) {
                    cb.call(Double.NaN);
                }
            }
        }).register(registry);
    }

    /** The sum of the regular files' sizes under dir; files that vanish during the walk (compaction) count 0. */
    static long directoryBytes(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.mapToLong(StorageGauges::sizeOrZero).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The data directory's volume, or null when it cannot be read (the gauges then report no sample). */
    private static FileStore store(Path dir) {
        try {
            return Files.getFileStore(dir);
        } catch (IOException e) {
            return null;
        }
    }
}
