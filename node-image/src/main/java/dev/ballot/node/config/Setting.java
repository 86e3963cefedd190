package dev.ballot.node.config;

import java.util.List;

/**
 * One configured value and where it came from, so every error can point at it.
 *
 * @param items  the list form (Raft {@code peers}); empty for scalars
 * @param line   1-based line in the file; 0 for the environment and for defaults
 * @param source the file name, {@code environment variable BALLOT_X} or {@code default}
 */
record Setting(String key, String value, List<String> items, int line, String source) {
    Setting {
        items = List.copyOf(items);
    }

    static Setting scalar(String key, String value, int line, String source) {
        return new Setting(key, value, List.of(), line, source);
    }

    ConfigException error(String problem, String fix) {
        return new ConfigException(source, key, line, problem, fix);
    }

    boolean fromEnvironment() {
        return source.startsWith("environment variable");
    }
}
