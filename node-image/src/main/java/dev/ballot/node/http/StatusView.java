package dev.ballot.node.http;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.Protocol;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.nodeapi.StatusReport;

import java.util.ArrayList;
import java.util.List;

/** The body of {@code GET /v1/status} and of each status event: the runtime's status as a {@link StatusReport}. */
final class StatusView {
    /** Milliseconds per engine tick: the node ticks every 10 ms (docs/conventions.md). */
    static final long TICK_MS = 10;

    private StatusView() {
    }

    static StatusReport of(NodeInfo info, RuntimeStatus rs) {
        return of(info, rs, null);
    }

    /** {@code reachability}: what forwards found of the leader (null: not known here, as in tests of the view). */
    static StatusReport of(NodeInfo info, RuntimeStatus rs, LeaderReachability reachability) {
        NodeStatus st = rs.node();
        boolean zab = st.protocol() == Protocol.ZAB;
        List<StatusReport.Member> members = new ArrayList<>();
        for (MemberProgress m : st.members()) {
            members.add(new StatusReport.Member(info.directory().name(m.id()), m.id(), m.address(),
                    info.directory().clientAddress(m.id()).orElse(null), m.kind().wireName(),
                    m.matchIndex() < 0 ? null : m.matchIndex(),
                    m.ticksSinceContact() < 0 ? null : m.ticksSinceContact() * TICK_MS,
                    m.id() == st.id()));
        }
        boolean hasLeader = st.leaderId() != 0;
        String remoteLeader = !hasLeader || st.leaderId() == st.id() ? null
                : info.directory().clientAddress(st.leaderId()).orElse(null);
        return new StatusReport(
                info.clusterId(),
                info.directory().name(st.id()),
                st.id(),
                st.protocol().wireName(),
                st.role(),
                st.term(),
                hasLeader ? info.directory().name(st.leaderId()) : null,
                hasLeader ? info.directory().clientAddress(st.leaderId()).orElse(null) : null,
                // False when this follower cannot reach the leader (a one-way partition): it refuses to forward.
                reachability == null ? null : reachability.reachableOrNull(remoteLeader),
                rs.leaderSince() == null ? null : rs.leaderSince().toString(),
                st.commitIndex(),
                st.appliedIndex(),
                st.lastLogIndex(),
                zab ? "0x" + Long.toHexString(st.lastLogIndex()) : null,
                zab ? "0x" + Long.toHexString(st.commitIndex()) : null,
                rs.millisSinceLeaderContact() < 0 ? null : rs.millisSinceLeaderContact(),
                info.version(),
                rs.failure(),
                null, null, null, // member identity: written by the identity keeper's status fields when known
                null, null, null, // alarms and the keyspace quota: written by the store's status fields (QuotaState)
                null, // tls: written by the node's TLS status field (NodeProcess), when it has TLS
                members);
    }
}
