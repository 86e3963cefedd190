package dev.ballot.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: exits 2 so nobody mistakes it for working. */
@Command(name = "simulate", mixinStandardHelpOptions = true, description = "Run the deterministic simulator over many seeds and check the invariants.")
public final class SimulateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("ballot-node simulate: not built yet");
        return 2;
    }
}
