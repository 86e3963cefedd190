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

    /**
     * Where the resident set is, from {@code /proc/<pid>/smaps}: the resident and proportional kB of each mapped file
     * (anonymous mappings as "[anon]", the kernel's own names as they are), largest first, and the status file's split
     * of the resident set into anonymous, file-backed and shared memory.
     */
    static java.util.List<String> largestMappings(long pid, int limit) {
        java.util.Map<String, long[]> byName = new java.util.HashMap<>();
        String name = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 5 && f[0].contains("-") && !f[0].endsWith(":")) { // a mapping's header line
                    name = f.length >= 6 ? f[5] : "[anon]";
                } else if (name != null && (f[0].equals("Rss:") || f[0].equals("Pss:"))) {
                    byName.computeIfAbsent(name, k -> new long[2])[f[0].equals("Rss:") ? 0 : 1] += Long.parseLong(f[1]);
                }
            }
            java.util.List<String> lines = new java.util.ArrayList<>();
            Path status = Path.of("/proc", Long.toString(pid), "status");
            lines.add("status RssAnon=" + field(status, "RssAnon:").orElse(-1) + " RssFile=" + field(status, "RssFile:").orElse(-1)
                    + " RssShmem=" + field(status, "RssShmem:").orElse(-1) + " kB");
            byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(limit)
                    .forEach(e -> lines.add("rss_kib=" + e.getValue()[0] + " pss_kib=" + e.getValue()[1] + " " + e.getKey()));
            return lines;
        } catch (IOException | RuntimeException e) {
            return java.util.List.of("failed: " + e);
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
