package dev.ballot.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: exits 2 so nobody mistakes it for working. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run a local multi-process cluster on 127.0.0.1 and kill its leader K times.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("ballot-node demo: not built yet");
        return 2;
    }
}
