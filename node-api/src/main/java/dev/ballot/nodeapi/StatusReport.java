package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code GET /v1/status} and of each {@code status} event on {@code /v1/status/events}
 * (docs/node-api.md, "Status"). Names ({@code nodeId}, {@code leaderId}, {@code members[].id}) are member
 * names; {@code memberId} is the engine's numeric id. Fields that may be null on the wire are boxed.
 *
 * @param role            Raft {@code follower|candidate|precandidate|leader|learner}; ZAB
 *                        {@code looking|following|leading|observing}
 * @param term            Raft term; ZAB current epoch
 * @param leaderId        null without a known leader
 * @param leaderAddress   the leader's client (HTTP) address; null without one
 * @param leaderReachable on a follower, whether its forwards reach the leader (false: a one-way partition, it
 *                        refuses to forward and is not ready); null where it does not apply or is not known yet
 * @param leaderSince     ISO-8601 instant this node first saw the current leader; null without one
 * @param commitIndex     Raft log index; for ZAB the zxid as a number (epoch << 32 | counter)
 * @param zxid            ZAB only (omitted for Raft): the last logged zxid in hex, {@code 0x...}
 * @param committedZxid   ZAB only (omitted for Raft): the committed zxid in hex
 * @param leaderContactMs ms since this node last heard from the leader (0 on the leader); null without one
 * @param failure         present only when the node's driver stopped (e.g. an fsync failed)
 * @param clusterUuid     the cluster's UUID recorded on this member's disk (member identity); null before it is known
 * @param joinedMembers   members recorded as having joined the cluster; null before it is known
 * @param needsReplacement true when this member lost its storage while in the configuration: it never votes and
 *                        waits to be replaced (docs/node-api.md, "Member identity")
 * @param alarms          the store's alarms: {@code ["NOSPACE"]} while the keyspace quota's alarm stands, else empty;
 *                        null from a member whose store has no quota support (ZooKeeper's data tree)
 * @param keyspaceBytes   what the keyspace quota counts; null without a quota
 * @param quotaBytes      the keyspace quota; null without one
 * @param tls             what the member's TLS material holds now ({@link TlsReport}); omitted without TLS and by nodes
 *                        from before the field (read as "not known")
 * @param members         the configuration as this node knows it
 */
@JsonPropertyOrder({"clusterId", "nodeId", "memberId", "protocol", "role", "term", "leaderId", "leaderAddress",
        "leaderReachable", "leaderSince", "commitIndex", "appliedIndex", "lastLogIndex", "zxid", "committedZxid", "leaderContactMs",
        "version", "failure", "clusterUuid", "joinedMembers", "needsReplacement", "alarms", "keyspaceBytes", "quotaBytes", "tls", "members"})
public record StatusReport(
        String clusterId,
        String nodeId,
        long memberId,
        String protocol,
        String role,
        long term,
        String leaderId,
        String leaderAddress,
        Boolean leaderReachable,
        String leaderSince,
        long commitIndex,
        long appliedIndex,
        long lastLogIndex,
        @JsonInclude(JsonInclude.Include.NON_NULL) String zxid,
        @JsonInclude(JsonInclude.Include.NON_NULL) String committedZxid,
        Long leaderContactMs,
        String version,
        @JsonInclude(JsonInclude.Include.NON_NULL) String failure,
        @JsonInclude(JsonInclude.Include.NON_NULL) String clusterUuid,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> joinedMembers,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean needsReplacement,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> alarms,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long keyspaceBytes,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long quotaBytes,
        @JsonInclude(JsonInclude.Include.NON_NULL) TlsReport tls,
        List<Member> members) {

    /** The node's /readyz rule: a follower that has not heard from its leader for this long is not ready. */
    public static final long MAX_LEADER_SILENCE_MS = 3000;
    private static final Set<String> LEADING = Set.of("leader", "leading");
    private static final Set<String> ELECTING = Set.of("candidate", "precandidate", "looking");

    public StatusReport {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** True while the member reports the keyspace quota's NOSPACE alarm. */
    public boolean noSpaceAlarm() {
        return alarms != null && alarms.contains("NOSPACE");
    }

    /**
     * One member of the configuration as the reporting node knows it. {@code matchIndex} and
     * {@code lastContactMs} are authoritative only on the leader and null elsewhere.
     *
     * @param kind {@code voter|learner|observer}
     * @param self true for the reporting node's own entry
     */
    @JsonPropertyOrder({"id", "memberId", "address", "clientAddress", "kind", "matchIndex", "lastContactMs", "self"})
    public record Member(String id, long memberId, String address, String clientAddress, String kind,
                         Long matchIndex, Long lastContactMs, boolean self) {
    }

    /** True when this node leads (Raft {@code leader}, ZAB {@code leading}). */
    public boolean leads() {
        return LEADING.contains(role);
    }

    /**
     * True when this node leads and serves: it names itself leader. A ZAB leader says {@code leading} from its
     * election on, but names a leader (with its {@code leaderSince}) only once a quorum has synchronised with it.
     */
    public boolean serves() {
        return leads() && leaderId != null;
    }

    /** True while this node looks for a leader (no stable leader from its point of view). */
    public boolean electing() {
        return role == null || ELECTING.contains(role);
    }

    /** A follower that has not heard from its leader for longer than {@link #MAX_LEADER_SILENCE_MS}. */
    public boolean leaderContactStale() {
        return !leads() && leaderContactMs != null && leaderContactMs > MAX_LEADER_SILENCE_MS;
    }

    /** {@link #leaderSince} as an instant; null without a leader. */
    public Instant leaderSinceInstant() {
        return leaderSince == null ? null : Instant.parse(leaderSince);
    }
}
