package dev.ballot.node.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar ballot-node.jar <run|demo|simulate> ...}: the one program every pod and laptop runs. */
@Command(name = "ballot-node", mixinStandardHelpOptions = true, version = "ballot-node 0.1.0",
        description = "A Ballot cluster member (Raft or ZAB), its local demo and its simulator.",
        subcommands = {RunCommand.class, RestoreCommand.class, DemoCommand.class, SimulateCommand.class})
public final class BallotNode implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        NameCache.shorten();
        RefusedBodyDrain.configure();
        System.exit(new CommandLine(new BallotNode()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a sub-command: run, restore, demo or simulate");
    }
}
