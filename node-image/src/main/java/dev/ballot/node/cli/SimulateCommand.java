package dev.ballot.node.cli;

import dev.ballot.engine.sim.ProtocolAdapter;
import dev.ballot.engine.sim.ProtocolAdapters;
import dev.ballot.engine.sim.SimulationRunner;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulate}: the engine's deterministic simulator over many seeds; exits 1 when any invariant broke. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the deterministic simulator over many seeds and check the invariants.")
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--protocol", defaultValue = "raft", description = "raft or zab (default: ${DEFAULT-VALUE})")
    String protocol;

    @Option(names = "--seeds", defaultValue = "100", description = "how many seeds to run (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--seed", defaultValue = "1", description = "the first seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--steps", description = "chaos events per seed before the final heal (default: "
            + SimulationRunner.DEFAULT_STEPS + ")")
    Integer steps;

    @Option(names = "--mutant", description = "switch in a deliberate bug by name, or 'list' to print the names")
    String mutant;

    @Override
    public Integer call() {
        ProtocolAdapter adapter;
        try {
            adapter = ProtocolAdapters.forName(protocol);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            System.err.println("simulate: " + e.getMessage());
            return 2;
        }
        if ("list".equals(mutant)) {
            adapter.mutants().forEach(System.out::println);
            return 0;
        }
        SimulationRunner.Summary summary;
        try {
            summary = SimulationRunner.run(new SimulationRunner.Options(protocol, seeds, seed,
                    steps == null ? SimulationRunner.DEFAULT_STEPS : steps, mutant));
        } catch (IllegalArgumentException e) {
            System.err.println("simulate: " + e.getMessage());
            return 2;
        }
        for (SimulationRunner.Failure f : summary.failures()) {
            System.out.println("FAIL seed=" + f.seed() + " event=" + f.event() + " invariant=" + f.invariant()
                    + ": " + f.detail());
            System.out.println("  replay: " + f.replay());
            if (seeds == 1) {
                System.out.println("  last events before the violation:");
                f.lastEvents().forEach(e -> System.out.println("    " + e));
            }
        }
        System.out.println(summary.line());
        return summary.violations() > 0 ? 1 : 0;
    }
}
