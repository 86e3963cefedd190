package dev.ballot.nodeapi;

import java.nio.charset.StandardCharsets;

/** A key's value as read, with the revision that last wrote it ({@link NodePaths#REVISION_HEADER}). */
public record KvValue(byte[] value, long revision) {
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }
}
