package dev.ballot.engine.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Runs the simulator over many seeds and sums up; {@code ballot-node simulate} is a thin shell over it. */
public final class SimulationRunner {
    public static final int DEFAULT_STEPS = 5000;
    public static final String JAR = "java -jar node-image/target/ballot-node.jar";

    private SimulationRunner() {
    }

    /** Seeds {@code firstSeed .. firstSeed + seeds - 1}, {@code steps} chaos events each, optionally with a mutant. */
    public record Options(String protocol, int seeds, long firstSeed, int steps, String mutant) {
        public Options {
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("--steps must be at least 1, got " + steps);
            }
        }
    }

    /** One failing seed: where, what, the command that replays it, and the events just before. */
    public record Failure(long seed, long event, String invariant, String detail, String replay, List<String> lastEvents) {
    }

    public record Summary(String protocol, int seeds, long events, long elections, long commits, long failoverP50,
                          long failoverP99, List<Failure> failures, Map<String, Long> stats) {
        public int violations() {
            return failures.size();
        }

        /** The one line {@code simulate} ends with. */
        public String line() {
            return String.format(Locale.ROOT, "simulate protocol=%s seeds=%d events=%d elections=%d commits=%d "
                            + "failover_ticks_p50=%d failover_ticks_p99=%d violations=%d", protocol, seeds, events,
                    elections, commits, failoverP50, failoverP99, violations());
        }
    }

    public static Summary run(Options options) {
        ProtocolAdapter adapter = ProtocolAdapters.forName(options.protocol());
        if (options.mutant() != null && !adapter.mutants().contains(options.mutant())) {
            throw new IllegalArgumentException("unknown mutant '" + options.mutant() + "' for " + options.protocol()
                    + "; list them with --mutant list");
        }
        long events = 0;
        long elections = 0;
        long commits = 0;
        List<Long> failovers = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        Map<String, Long> stats = new TreeMap<>();
        for (int i = 0; i < options.seeds(); i++) {
            long seed = options.firstSeed() + i;
            Simulation.Outcome o = new Simulation(adapter, seed, options.steps(), options.mutant()).run();
            events += o.events();
            elections += o.elections();
            commits += o.commits();
            failovers.addAll(o.failoverTicks());
            o.stats().forEach((k, v) -> stats.merge(k, v, Long::sum));
            if (o.violation() != null) {
                Simulation.Violation v = o.violation();
                failures.add(new Failure(seed, v.event(), v.invariant(), v.detail(), replay(options, seed), v.lastEvents()));
            }
        }
        Collections.sort(failovers);
        return new Summary(adapter.protocol().wireName(), options.seeds(), events, elections, commits,
                percentile(failovers, 50), percentile(failovers, 99), failures, stats);
    }

    /** How many seeds, counting from {@code firstSeed}, it takes to catch {@code mutant}; -1 if none of {@code maxSeeds} does. */
    public static int seedsToCatch(String protocol, String mutant, int maxSeeds, long firstSeed, int steps) {
        ProtocolAdapter adapter = ProtocolAdapters.forName(protocol);
        for (int i = 0; i < maxSeeds; i++) {
            if (new Simulation(adapter, firstSeed + i, steps, mutant).run().violation() != null) {
                return i + 1;
            }
        }
        return -1;
    }

    public static String replay(Options options, long seed) {
        return JAR + " simulate --protocol " + options.protocol() + " --seeds 1 --seed " + seed + " --steps "
                + options.steps() + (options.mutant() == null ? "" : " --mutant " + options.mutant());
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
