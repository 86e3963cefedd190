package dev.ballot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A process's memory as the kernel counts it: VmRSS from {@code /proc/<pid>/status} (every resident page,
 * shared ones in full) and Pss from {@code /proc/<pid>/smaps_rollup} (shared pages split between the
 * processes that map them). Linux only; empty elsewhere or when the process is gone.
 */
final class ProcessMemory {
    private ProcessMemory() {
    }

    static OptionalLong rssKiB(long pid) {
        return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    static OptionalLong pssKiB(long pid) {
        return field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    /** The process's threads ({@code /proc/<pid>/task}): each holds a stack and, in glibc, may hold a malloc arena. */
    static OptionalLong threads(long pid) {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return OptionalLong.of(tasks.count());
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The kB value of the first line starting with {@code name} ("VmRSS:   81234 kB"). */
    static OptionalLong field(Path file, String name) {
        try {
            return parse(Files.readAllLines(file), name);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong parse(Iterable<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[0]));
            }
        }
        return OptionalLong.empty();
    }
}
