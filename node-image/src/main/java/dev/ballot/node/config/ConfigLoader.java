package dev.ballot.node.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a node's configuration: the seed's Raft YAML (a {@code raft:} document) or a ZooKeeper-style
 * properties file, chosen by content, with {@code BALLOT_*} environment overrides (docs/node-config.md).
 */
public final class ConfigLoader {
    private static final Pattern RAFT_START = Pattern.compile("raft\\s*:.*");
    private static final Pattern YAML_MAPPING_START = Pattern.compile("[A-Za-z_][\\w.-]*\\s*:\\s*(#.*)?");

    private ConfigLoader() {
    }

    public static NodeConfig load(Path file, Map<String, String> env) throws ConfigException {
        String source = file.toString();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, "", 0, "not UTF-8 text", "save the file as UTF-8");
        } catch (IOException e) {
            throw new ConfigException(source, "", 0, "cannot be read (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", "pass an existing, readable file to --config");
        }
        return parse(source, text, env);
    }

    /** Parses config text; {@code source} names it in errors. */
    public static NodeConfig parse(String source, String text, Map<String, String> env) throws ConfigException {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String first = null;
        int firstLine = 0;
        boolean anyEquals = false;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#") || l.equals("---") || l.startsWith("%")) {
                continue;
            }
            if (first == null) {
                first = l;
                firstLine = i + 1;
            }
            if (l.contains("=")) {
                anyEquals = true;
            }
        }
        if (first == null) {
            throw new ConfigException(source, "", 0, "the file is empty",
                    "write a 'raft:' YAML document or a ZooKeeper-style file (see docs/node-config.md)");
        }
        if (RAFT_START.matcher(first).matches()) {
            return new RaftYamlParser(source, env).parse(text);
        }
        if (anyEquals) {
            return new ZabPropertiesParser(source, env).parse(text);
        }
        if (YAML_MAPPING_START.matcher(first).matches()) {
            throw new ConfigException(source, first.substring(0, first.indexOf(':')).strip(), firstLine,
                    "a YAML document must start with 'raft:'",
                    "put the Raft settings under 'raft:' (ZAB clusters use a ZooKeeper-style key=value file)");
        }
        throw new ConfigException(source, "", firstLine, "neither a 'raft:' YAML document nor a ZooKeeper-style key=value file",
                "see docs/node-config.md for both formats");
    }

    static Path path(Setting s) throws ConfigException {
        try {
            return Path.of(s.value().strip());
        } catch (InvalidPathException e) {
            throw s.error("'" + s.value() + "' is not a valid path (" + e.getReason() + ")", "write a directory path, e.g. /var/lib/ballot");
        }
    }
}
