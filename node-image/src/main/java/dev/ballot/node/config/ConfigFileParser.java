package dev.ballot.node.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One config file format, read the same way for both: its text into {@link #settings} (each with the line it came
 * from), then the environment's {@code BALLOT_*} overrides over them, then checked and built into a {@link NodeConfig}.
 * Errors name {@link #source} and the key.
 */
abstract class ConfigFileParser {
    /** What the text came from (a file name), for errors. */
    final String source;
    final Map<String, String> env;
    final Map<String, Setting> settings = new LinkedHashMap<>();

    ConfigFileParser(String source, Map<String, String> env) {
        this.source = source;
        this.env = env;
    }

    final NodeConfig parse(String text) throws ConfigException {
        read(text);
        applyEnvironment();
        return build();
    }

    abstract void read(String text) throws ConfigException;

    abstract void applyEnvironment() throws ConfigException;

    abstract NodeConfig build() throws ConfigException;
}
