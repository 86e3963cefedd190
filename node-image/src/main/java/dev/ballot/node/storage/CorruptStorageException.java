package dev.ballot.node.storage;

import java.nio.file.Path;

/**
 * The data directory cannot be trusted. The message names the file, the byte offset (when it applies), what is
 * wrong and what to do; the node must not start on it.
 */
public class CorruptStorageException extends Exception {
    /**
     * The way out when a voter's data is lost or untrustworthy. Never "restart it empty": an empty voter would vote
     * for candidates missing writes it acknowledged (issue 16); such a member refuses to start (needsReplacement).
     */
    public static final String REPLACE_MEMBER = "move the data directory aside for inspection and have this member "
            + "replaced: remove it from the configuration and add it again as a learner (Raft) or observer (ZAB), "
            + "which catches up from the leader and is then promoted (the operator does this; docs/node-api.md, "
            + "Member identity). Restarted empty as a voter it would refuse to start (needsReplacement)";

    private final Path file;
    private final long offset;
    private final String fix;

    public CorruptStorageException(Path file, long offset, String problem, String fix) {
        super(file + (offset >= 0 ? " at offset " + offset : "") + ": " + problem + (problem.endsWith(".") ? "" : ".")
                + " Fix: " + fix);
        this.file = file;
        this.offset = offset;
        this.fix = fix;
    }

    public Path file() {
        return file;
    }

    /** Byte offset of the bad data in {@link #file()}, or -1 when the whole file is at fault. */
    public long offset() {
        return offset;
    }

    public String fix() {
        return fix;
    }
}
