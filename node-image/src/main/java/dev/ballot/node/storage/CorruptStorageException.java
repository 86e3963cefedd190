package dev.ballot.node.storage;

import java.nio.file.Path;

/**
 * The data directory cannot be trusted. The message names the file, the byte offset (when it applies), what is
 * wrong and what to do; the node must not start on it.
 */
public class CorruptStorageException extends Exception {
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
