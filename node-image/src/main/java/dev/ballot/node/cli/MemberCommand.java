package dev.ballot.node.cli;

import dev.ballot.node.config.ConfigException;
import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A command on one member's config file plus environment ({@code run}, {@code restore}): reads the config once, the
 * same way for both, and maps a {@link ConfigException} (from the file or from what the command then checks) to
 * exit {@link #BAD_CONFIG} with the message on stderr.
 */
abstract class MemberCommand implements Callable<Integer> {
    /** Exit code of a bad configuration. */
    static final int BAD_CONFIG = 2;

    @Option(names = "--config", required = true,
            description = "the member's config file: the seed's Raft YAML or a ZooKeeper-style file")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What the command does with the loaded configuration; its exit code. */
    abstract int run(NodeConfig cfg) throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return run(ConfigLoader.load(config, System.getenv()));
        } catch (ConfigException e) {
            return report(BAD_CONFIG, e.getMessage());
        }
    }

    /** Says why on stderr, prefixed with the command ("ballot-node run: ..."), and returns the exit code. */
    int report(int exitCode, String why) {
        System.err.println("ballot-node " + spec.name() + ": " + why);
        return exitCode;
    }
}
