package dev.ballot.nodeapi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Every path, query parameter and header of the node's HTTP API (docs/node-api.md), defined once. */
public final class NodePaths {
    public static final String STATUS = "/v1/status";
    public static final String STATUS_EVENTS = "/v1/status/events";
    public static final String HEALTHZ = "/healthz";
    public static final String READYZ = "/readyz";
    public static final String METRICS = "/metrics";
    /** Followed by the percent-encoded key. */
    public static final String KV_PREFIX = "/v1/kv/";
    /** After a key: compare-and-set. */
    public static final String CAS_SUFFIX = "/cas";
    public static final String ADMIN_PREFIX = "/v1/admin/";
    public static final String TRANSFER_LEADERSHIP = "/v1/admin/transfer-leadership";
    /** POST: quorum-loss recovery from this member, carried out at its next start (docs/node-api.md). */
    public static final String FORCE_NEW_CLUSTER = "/v1/admin/force-new-cluster";
    /** GET the configuration, POST to add; {@code /{name}} DELETE removes, {@code /{name}/promote} POST promotes. */
    public static final String MEMBERS = "/v1/admin/members";
    public static final String PROMOTE_SUFFIX = "/promote";
    /** GET: the state machine's whole state at a committed index (backups); see the SNAPSHOT_* headers. */
    public static final String SNAPSHOT = "/v1/admin/snapshot";
    /** On a snapshot: the index (zxid for ZAB) of the last entry it contains. */
    public static final String SNAPSHOT_INDEX_HEADER = "Ballot-Snapshot-Index";
    /** On a snapshot: the term (ZAB: epoch) of that entry. */
    public static final String SNAPSHOT_TERM_HEADER = "Ballot-Snapshot-Term";
    /** On a snapshot: the lowercase hex SHA-256 of the body. */
    public static final String SNAPSHOT_SHA256_HEADER = "Ballot-Snapshot-Sha256";
    /** On a snapshot: raft or zab. */
    public static final String SNAPSHOT_PROTOCOL_HEADER = "Ballot-Snapshot-Protocol";
    /** On a snapshot: which state machine's bytes: kv, etcd or zookeeper. */
    public static final String SNAPSHOT_MACHINE_HEADER = "Ballot-Snapshot-Machine";
    /** On a snapshot: the member that took it. */
    public static final String SNAPSHOT_MEMBER_HEADER = "Ballot-Snapshot-Member";

    public static final String CONSISTENCY_PARAM = "consistency";
    /** The revision of a key-value answer: the entry's index (zxid for ZAB). */
    public static final String REVISION_HEADER = "Ballot-Revision";
    /** On a request a follower forwards to the leader: the follower's name. Never forwarded twice. */
    public static final String FORWARDED_BY_HEADER = "Ballot-Forwarded-By";
    /** A client that prefers a 307 to the leader over the node forwarding for it sends this, any value. */
    public static final String NO_FORWARD_HEADER = "Ballot-No-Forward";
    /** The status event stream's one event type. */
    public static final String STATUS_EVENT = "status";

    private NodePaths() {
    }

    /** {@code /v1/kv/<key>}, the key percent-encoded ({@code /} too: {@code a/b} and {@code a%2Fb} are one key). */
    public static String kv(String key) {
        return KV_PREFIX + encode(key);
    }

    public static String cas(String key) {
        return kv(key) + CAS_SUFFIX;
    }

    /** {@code /v1/admin/members/<name>}: DELETE removes the member. */
    public static String member(String name) {
        return MEMBERS + "/" + encode(name);
    }

    public static String promote(String name) {
        return member(name) + PROMOTE_SUFFIX;
    }

    /** Percent-encoding of one path segment (a space is %20, never +). */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
