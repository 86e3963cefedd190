package dev.ballot.node.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Environment overrides: {@code BALLOT_} + the key upper-cased with every non-alphanumeric as {@code _}
 * ({@code node_id} -> {@code BALLOT_NODE_ID}, {@code tickTime} -> {@code BALLOT_TICKTIME},
 * {@code server.4} -> {@code BALLOT_SERVER_4}). A camelCase key is also reachable with its words split
 * ({@code dataDir} -> {@code BALLOT_DATA_DIR}), so the same pod variables serve Raft and ZAB.
 */
final class EnvOverrides {
    static final String PREFIX = "BALLOT_";

    private EnvOverrides() {
    }

    static List<String> names(String key) {
        Set<String> names = new LinkedHashSet<>();
        names.add(PREFIX + key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        String split = key.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
        names.add(PREFIX + split.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        return new ArrayList<>(names);
    }

    /** The override for {@code key}, or null; two spellings with different values are an error. */
    static Setting lookup(String key, String displayKey, Map<String, String> env) throws ConfigException {
        Setting found = null;
        for (String name : names(key)) {
            String value = env.get(name);
            if (value == null) {
                continue;
            }
            if (found != null && !found.value().equals(value)) {
                throw new ConfigException("environment variables " + found.source().substring("environment variable ".length())
                        + " and " + name, displayKey, 0,
                        "both are set and disagree ('" + found.value() + "' vs '" + value + "')",
                        "set only one of them");
            }
            found = Setting.scalar(displayKey, value, 0, "environment variable " + name);
        }
        return found;
    }
}
