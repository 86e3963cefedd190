package dev.ballot.node.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The {@code member} file beside the WAL: proof that this directory's member joined a bootstrapped cluster.
 * It names the cluster (the operator's id and the UUID the cluster agreed on through its log at bootstrap),
 * this member's id, the revision at which it learned the UUID, and the members it last knew to have joined (so
 * that, restarted, it can answer a peer that asks before it has replayed its log). Written atomically and fsynced
 * ({@link Durable#writeAtomically}), with a CRC-32C over the lines above it so that damage is never read as
 * a different identity.
 *
 * <p>Its absence together with an empty directory is what tells a brand-new member from one whose volume was
 * lost: see {@code dev.ballot.node.server.JoinGate}.
 */
public record MemberRecord(String clusterId, UUID clusterUuid, long memberId, long joinedAtRevision,
                           List<String> joinedMembers) {
    public MemberRecord {
        joinedMembers = List.copyOf(joinedMembers);
    }

    /** The same record knowing {@code joined} as the members that joined (rewritten as it grows). */
    public MemberRecord withJoined(Collection<String> joined) {
        return new MemberRecord(clusterId, clusterUuid, memberId, joinedAtRevision, List.copyOf(joined));
    }

    public static final String FILE = "member";
    private static final String FORMAT = "1";

    /** True when {@code dir} holds nothing a member ever wrote: no identity, log, snapshot or member file. */
    public static boolean freshDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).noneMatch(n -> n.equals(FILE)
                    || n.equals(FileNodeStorage.IDENTITY) || n.startsWith("wal-") || n.endsWith(".snap"));
        }
    }

    public static Optional<MemberRecord> read(Path dir) throws IOException, CorruptStorageException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int crcAt = text.lastIndexOf("crc32c=");
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String fix = "restore the file from a backup of this member's directory; if it is lost, this member needs "
                + "replacing (remove it from the configuration and add it again as a learner/observer)";
        if (crcAt < 0 || !values.containsKey("crc32c") || !crc(text.substring(0, crcAt)).equals(values.get("crc32c"))) {
            throw new CorruptStorageException(file, -1, "the member file's checksum does not match its content", fix);
        }
        try {
            if (!FORMAT.equals(values.get("format"))) {
                throw new IllegalArgumentException("unknown format " + values.get("format"));
            }
            return Optional.of(new MemberRecord(values.get("cluster_id"), UUID.fromString(values.get("cluster_uuid")),
                    Long.parseLong(values.get("member_id")), Long.parseLong(values.get("joined_at_revision")),
                    values.getOrDefault("joined_members", "").isEmpty() ? List.of()
                            : List.of(values.get("joined_members").split(","))));
        } catch (RuntimeException e) {
            throw new CorruptStorageException(file, -1, "the member file is unreadable: " + e.getMessage(), fix);
        }
    }

    /** Writes the file durably (temp file, fsync, rename, directory fsync). */
    public void write(Path dir) throws IOException {
        String body = "format=" + FORMAT + "\ncluster_id=" + clusterId + "\ncluster_uuid=" + clusterUuid
                + "\nmember_id=" + memberId + "\njoined_at_revision=" + joinedAtRevision
                + "\njoined_members=" + String.join(",", joinedMembers) + "\n";
        String text = body + "crc32c=" + crc(body) + "\n";
        Durable.writeAtomically(dir.resolve(FILE), ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", c.getValue());
    }
}
