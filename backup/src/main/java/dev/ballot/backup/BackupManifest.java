package dev.ballot.backup;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ballot.nodeapi.NodeJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The small JSON object stored beside each backup ({@code <key>.json}): what the snapshot object holds and how to
 * check it. A restore reads it first, then the object, and refuses the object unless its size and SHA-256 match.
 *
 * @param format    {@link #FORMAT}; a reader refuses another
 * @param namespace the source cluster's namespace
 * @param cluster   the source ElectionCluster's name
 * @param protocol  raft or zab
 * @param machine   the state machine whose bytes these are: kv, etcd or zookeeper
 * @param index     the index (ZAB: zxid) of the last entry the snapshot holds
 * @param term      that entry's term (ZAB: epoch)
 * @param sha256    lowercase hex SHA-256 of the object
 * @param size      the object's size in bytes
 * @param createdAt when the backup was taken (RFC 3339, UTC)
 * @param object    the snapshot object's key in the bucket
 * @param member    the member that took the snapshot
 */
public record BackupManifest(int format, String namespace, String cluster, String protocol, String machine, long index,
                             long term, String sha256, long size, String createdAt, String object, String member) {
    public static final int FORMAT = 1;

    public byte[] toJson() {
        try {
            return NodeJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a manifest always serialises", e);
        }
    }

    /** Parses and checks a manifest; {@code where} names it in errors. */
    public static BackupManifest parse(byte[] json, String where) throws IOException {
        BackupManifest m;
        try {
            m = NodeJson.MAPPER.readValue(json, BackupManifest.class);
        } catch (IOException e) {
            throw new IOException("the backup manifest " + where + " is not valid JSON (" + e.getMessage()
                    + "); it was not written by Ballot, or was damaged", e);
        }
        if (m.format() != FORMAT) {
            throw new IOException("the backup manifest " + where + " has format " + m.format() + "; this Ballot reads format "
                    + FORMAT);
        }
        if (m.object() == null || m.sha256() == null || m.machine() == null || m.protocol() == null || m.size() < 0) {
            throw new IOException("the backup manifest " + where + " lacks object, sha256, machine or protocol: "
                    + new String(json, StandardCharsets.UTF_8));
        }
        return m;
    }
}
