package dev.ballot.bench;

import java.time.Duration;

/** Sizes of one run; small by default for a shared 2-core machine. */
final class BenchOptions {
    int writes = 2000;
    int warmup = 200;
    /** Concurrent-client counts, one write phase each (the sequential phase is the 1-client one). */
    java.util.List<Integer> clients = java.util.List.of(8, 64);
    /** kill and/or freeze, {@link #failovers} of each. */
    java.util.List<String> faults = java.util.List.of("kill", "freeze");
    int reads = 1000;
    int failovers = 5;
    int valueBytes = 100;
    Duration phaseLimit = Duration.ofSeconds(120);
}
