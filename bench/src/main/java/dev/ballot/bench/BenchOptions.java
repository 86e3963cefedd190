package dev.ballot.bench;

import java.time.Duration;

/** Sizes of one run; small by default for a shared 2-core machine. */
final class BenchOptions {
    int writes = 2000;
    int warmup = 200;
    int clients = 8;
    int reads = 1000;
    int failovers = 5;
    int valueBytes = 100;
    Duration phaseLimit = Duration.ofSeconds(120);
}
