package dev.ballot.node.cli;

import dev.ballot.node.config.ConfigException;
import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;

import java.nio.file.Path;
import java.util.Optional;

/** The member's config file plus environment, as {@code run} and {@code restore} both read it. */
final class MemberConfig {
    /** Exit code of a bad configuration. */
    static final int BAD_CONFIG = 2;

    private MemberConfig() {
    }

    /** The configuration, or empty after printing why on stderr (the command then exits {@link #BAD_CONFIG}). */
    static Optional<NodeConfig> load(String command, Path file) {
        try {
            return Optional.of(ConfigLoader.load(file, System.getenv()));
        } catch (ConfigException e) {
            System.err.println("ballot-node " + command + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
