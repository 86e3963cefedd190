package dev.ballot.node.config;

/**
 * A configuration that cannot run. The message names where the bad value came from (file and line,
 * or the environment variable), the key, what is wrong and how to fix it.
 */
public class ConfigException extends Exception {
    private final String source;
    private final String key;
    private final int line;
    private final String problem;
    private final String fix;

    /**
     * @param source the file name or {@code environment variable BALLOT_X}
     * @param key    the configuration key, e.g. {@code raft.peers} or {@code server.3}; empty for the whole file
     * @param line   1-based line in the file, 0 when the value does not come from a line
     */
    public ConfigException(String source, String key, int line, String problem, String fix) {
        super(format(source, key, line, problem, fix));
        this.source = source;
        this.key = key == null ? "" : key;
        this.line = line;
        this.problem = problem;
        this.fix = fix;
    }

    private static String format(String source, String key, int line, String problem, String fix) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(" line ").append(line);
        }
        if (key != null && !key.isEmpty()) {
            sb.append(", key '").append(key).append('\'');
        }
        sb.append(": ").append(problem);
        if (!problem.endsWith(".")) {
            sb.append('.');
        }
        sb.append(" Fix: ").append(fix);
        return sb.toString();
    }

    public String source() {
        return source;
    }

    public String key() {
        return key;
    }

    /** 1-based line number, or 0 when the value came from the environment or from no single line. */
    public int line() {
        return line;
    }

    public String problem() {
        return problem;
    }

    public String fix() {
        return fix;
    }
}
