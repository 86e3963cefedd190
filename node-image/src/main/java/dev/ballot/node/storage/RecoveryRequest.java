package dev.ballot.node.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code force-new-cluster} file in a member's data directory: a quorum-loss recovery asked of this member
 * ({@code POST /v1/admin/force-new-cluster}) and carried out at its next start, before its engine runs. Written
 * atomically and fsynced, so that an answered request is never forgotten; deleted once carried out.
 */
public record RecoveryRequest(String member, String id) {
    public static final String FILE = "force-new-cluster";

    public static Optional<RecoveryRequest> read(Path dataDir) throws IOException, CorruptStorageException {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String member = values.get("member");
        String id = values.get("id");
        if (member == null || member.isEmpty() || id == null || id.isEmpty()) {
            throw new CorruptStorageException(file, -1, "the recovery request lacks member= or id=",
                    "delete the file and ask again (POST /v1/admin/force-new-cluster)");
        }
        return Optional.of(new RecoveryRequest(member, id));
    }

    public void write(Path dataDir) throws IOException {
        String text = "member=" + member + "\nid=" + id + "\n";
        Durable.writeAtomically(dataDir.resolve(FILE), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Once carried out: the next start is an ordinary one. */
    public static void delete(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(FILE));
        Durable.syncDirectory(dataDir);
    }
}
