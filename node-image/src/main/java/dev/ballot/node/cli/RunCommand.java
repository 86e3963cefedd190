package dev.ballot.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: exits 2 so nobody mistakes it for working. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one cluster member from a config file.")
public final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("ballot-node run: not built yet");
        return 2;
    }
}
