package dev.ballot.operator.members;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.ballot.nodeapi.StatusReport;
import dev.ballot.nodeapi.TlsReport;
import java.util.List;

/**
 * What the operator reads of a member's own report (the node API's {@link StatusReport}, GET /v1/status and its
 * event stream): the fields its decisions use, nullable where a report may lack them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReportedStatus(
        String clusterId,
        String nodeId,
        String protocol,
        String role,
        Long term,
        String leaderId,
        String leaderAddress,
        String leaderSince,
        Long commitIndex,
        Long appliedIndex,
        Long lastLogIndex,
        Long leaderContactMs,
        String version,
        List<ReportedMember> members,
        String clusterUuid,
        List<String> joinedMembers,
        Boolean needsReplacement,
        List<String> alarms,
        TlsReport tls) {

    /** A report without {@code tls} (a member without TLS, a node from before the field, or a test). */
    public ReportedStatus(String clusterId, String nodeId, String protocol, String role, Long term, String leaderId,
                          String leaderAddress, String leaderSince, Long commitIndex, Long appliedIndex,
                          Long lastLogIndex, Long leaderContactMs, String version, List<ReportedMember> members,
                          String clusterUuid, List<String> joinedMembers, Boolean needsReplacement, List<String> alarms) {
        this(clusterId, nodeId, protocol, role, term, leaderId, leaderAddress, leaderSince, commitIndex, appliedIndex,
                lastLogIndex, leaderContactMs, version, members, clusterUuid, joinedMembers, needsReplacement, alarms,
                null);
    }

    /** A report without the member-identity fields (a node from before them, or a test). */
    public ReportedStatus(String clusterId, String nodeId, String protocol, String role, Long term, String leaderId,
                          String leaderAddress, String leaderSince, Long commitIndex, Long appliedIndex,
                          Long lastLogIndex, Long leaderContactMs, String version, List<ReportedMember> members) {
        this(clusterId, nodeId, protocol, role, term, leaderId, leaderAddress, leaderSince, commitIndex, appliedIndex,
                lastLogIndex, leaderContactMs, version, members, null, null, null);
    }

    /** A report without alarms (a node from before them, or a test). */
    public ReportedStatus(String clusterId, String nodeId, String protocol, String role, Long term, String leaderId,
                          String leaderAddress, String leaderSince, Long commitIndex, Long appliedIndex,
                          Long lastLogIndex, Long leaderContactMs, String version, List<ReportedMember> members,
                          String clusterUuid, List<String> joinedMembers, Boolean needsReplacement) {
        this(clusterId, nodeId, protocol, role, term, leaderId, leaderAddress, leaderSince, commitIndex, appliedIndex,
                lastLogIndex, leaderContactMs, version, members, clusterUuid, joinedMembers, needsReplacement, null);
    }

    /** The member reports the keyspace quota's NOSPACE alarm: writes that add data are refused. */
    public boolean noSpaceAlarm() {
        return alarms != null && alarms.contains("NOSPACE");
    }

    /** The member lost its storage while in the configuration: it never votes and waits to be replaced. */
    public boolean needsReplacing() {
        return Boolean.TRUE.equals(needsReplacement);
    }

    /** One entry of the configuration as this member knows it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReportedMember(String id, String address, String kind, Long matchIndex, Long lastContactMs,
                                 Boolean self) {
    }

    /** The operator's view of a node's status report (the node API's record). */
    public static ReportedStatus of(StatusReport r) {
        return new ReportedStatus(r.clusterId(), r.nodeId(), r.protocol(), r.role(), r.term(), r.leaderId(),
                r.leaderAddress(), r.leaderSince(), r.commitIndex(), r.appliedIndex(), r.lastLogIndex(),
                r.leaderContactMs(), r.version(), r.members().stream().map(m -> new ReportedMember(m.id(),
                        m.address(), m.kind(), m.matchIndex(), m.lastContactMs(), m.self())).toList(),
                r.clusterUuid(), r.joinedMembers(), r.needsReplacement(), r.alarms(), r.tls());
    }

    /** The node's /readyz rule: a follower that has not heard from its leader for 3 s is not ready. */
    public static final long LEADER_CONTACT_LIMIT_MS = 3000;

    public boolean leaderContactStale() {
        return !leads() && leaderContactMs != null && leaderContactMs > LEADER_CONTACT_LIMIT_MS;
    }

    public boolean leads() {
        return "leader".equals(role) || "leading".equals(role);
    }

    /** True when the member leads and names itself leader (a ZAB leader once a quorum synchronised with it). */
    public boolean serves() {
        return leads() && leaderId != null;
    }

    /** True while the member is looking for a leader (no stable leader from its point of view). */
    public boolean electing() {
        return role == null || "candidate".equals(role) || "precandidate".equals(role) || "looking".equals(role);
    }
}
