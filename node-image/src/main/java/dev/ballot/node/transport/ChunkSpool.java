package dev.ballot.node.transport;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The directory where {@link ChunkAssembler} spools incoming chunked messages. */
final class ChunkSpool {
    static final String SUFFIX = ".part";

    private ChunkSpool() {
    }

    /** Deletes what a crashed process left mid-transfer (the sender starts such a transfer over anyway). */
    static int clearLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "transfer-*" + SUFFIX)) {
            for (Path p : parts) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }
}
