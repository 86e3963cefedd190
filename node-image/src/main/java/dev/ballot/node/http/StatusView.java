package dev.ballot.node.http;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.Protocol;
import dev.ballot.node.server.RuntimeStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The body of {@code GET /v1/status} and of each status event, as NODE-API.md fixes it. */
final class StatusView {
    /** Milliseconds per engine tick: the node ticks every 10 ms (docs/conventions.md). */
    static final long TICK_MS = 10;

    private StatusView() {
    }

    static Map<String, Object> of(NodeInfo info, RuntimeStatus rs) {
        return of(info, rs, null);
    }

    /** {@code reachability}: what forwards found of the leader (null: not known here, as in tests of the view). */
    static Map<String, Object> of(NodeInfo info, RuntimeStatus rs, LeaderReachability reachability) {
        NodeStatus st = rs.node();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("clusterId", info.clusterId());
        body.put("nodeId", info.directory().name(st.id()));
        body.put("memberId", st.id());
        body.put("protocol", st.protocol().wireName());
        body.put("role", st.role());
        body.put("term", st.term());
        body.put("leaderId", st.leaderId() == 0 ? null : info.directory().name(st.leaderId()));
        body.put("leaderAddress", st.leaderId() == 0 ? null : info.directory().clientAddress(st.leaderId()).orElse(null));
        String leaderAddress = st.leaderId() == 0 || st.leaderId() == st.id() ? null
                : info.directory().clientAddress(st.leaderId()).orElse(null);
        // False when this follower cannot reach the leader (a one-way partition): it refuses to forward.
        body.put("leaderReachable", reachability == null ? null : reachability.reachableOrNull(leaderAddress));
        body.put("leaderSince", rs.leaderSince() == null ? null : rs.leaderSince().toString());
        body.put("commitIndex", st.commitIndex());
        body.put("appliedIndex", st.appliedIndex());
        body.put("lastLogIndex", st.lastLogIndex());
        if (st.protocol() == Protocol.ZAB) {
            body.put("zxid", "0x" + Long.toHexString(st.lastLogIndex()));
            body.put("committedZxid", "0x" + Long.toHexString(st.commitIndex()));
        }
        body.put("leaderContactMs", rs.millisSinceLeaderContact() < 0 ? null : rs.millisSinceLeaderContact());
        body.put("version", info.version());
        if (rs.failure() != null) {
            body.put("failure", rs.failure());
        }
        List<Map<String, Object>> members = new ArrayList<>();
        for (MemberProgress m : st.members()) {
            Map<String, Object> mv = new LinkedHashMap<>();
            mv.put("id", info.directory().name(m.id()));
            mv.put("memberId", m.id());
            mv.put("address", m.address());
            mv.put("clientAddress", info.directory().clientAddress(m.id()).orElse(null));
            mv.put("kind", m.kind().wireName());
            mv.put("matchIndex", m.matchIndex() < 0 ? null : m.matchIndex());
            mv.put("lastContactMs", m.ticksSinceContact() < 0 ? null : m.ticksSinceContact() * TICK_MS);
            mv.put("self", m.id() == st.id());
            members.add(mv);
        }
        body.put("members", members);
        return body;
    }
}
