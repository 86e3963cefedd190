package dev.ballot.node.http;

import com.sun.net.httpserver.HttpExchange;
import dev.ballot.engine.Snapshot;
import dev.ballot.nodeapi.Consistency;
import dev.ballot.nodeapi.NodePaths;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /v1/admin/snapshot}: the state machine's whole state at a committed index, for backups. The body is the
 * machine's own snapshot bytes; headers name its index (zxid), term (epoch), protocol, machine and SHA-256. By default
 * (linearizable) the leader takes it after confirming its leadership, so it holds every write acknowledged before the
 * request; a follower forwards it there. {@code consistency=serializable} takes this member's own applied state.
 */
final class SnapshotRoute {
    private final AdminRoutes routes;

    SnapshotRoute(AdminRoutes routes) {
        this.routes = routes;
    }

    void handle(HttpExchange ex) throws IOException {
        String consistency = Exchanges.query(ex).getOrDefault(NodePaths.CONSISTENCY_PARAM, Consistency.LINEARIZABLE.wireName());
        boolean linearizable;
        if (consistency.equals(Consistency.LINEARIZABLE.wireName())) {
            linearizable = true;
        } else if (consistency.equals(Consistency.SERIALIZABLE.wireName())) {
            linearizable = false;
        } else {
            throw ApiException.badRequest("consistency", "consistency must be linearizable (default: the leader's state, "
                    + "holding every acknowledged write) or serializable (this member's own), got '" + consistency + "'");
        }
        if (linearizable && routes.routedToLeader(ex)) {
            return;
        }
        NodeInfo info = routes.info;
        Snapshot s = routes.await(info.runtime().captureSnapshot(linearizable), true);
        var h = ex.getResponseHeaders();
        h.set(NodePaths.SNAPSHOT_INDEX_HEADER, Long.toString(s.index()));
        h.set(NodePaths.SNAPSHOT_TERM_HEADER, Long.toString(s.term()));
        h.set(NodePaths.SNAPSHOT_SHA256_HEADER, sha256(s.data()));
        h.set(NodePaths.SNAPSHOT_PROTOCOL_HEADER, info.protocol().wireName());
        h.set(NodePaths.SNAPSHOT_MACHINE_HEADER, info.runtime().machineKind());
        h.set(NodePaths.SNAPSHOT_MEMBER_HEADER, info.selfName());
        Exchanges.send(ex, 200, "application/octet-stream", s.data());
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
