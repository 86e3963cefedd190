package dev.ballot.operator.members;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** A member's own report, the body of GET /v1/status (docs NODE-API.md). Unknown fields are ignored. */
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
        List<ReportedMember> members) {

    /** One entry of the configuration as this member knows it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ReportedMember(String id, String address, String kind, Long matchIndex, Long lastContactMs,
                                 Boolean self) {
    }

    /** The node's /readyz rule: a follower that has not heard from its leader for 3 s is not ready. */
    public static final long LEADER_CONTACT_LIMIT_MS = 3000;

    public boolean leaderContactStale() {
        return !leads() && leaderContactMs != null && leaderContactMs > LEADER_CONTACT_LIMIT_MS;
    }

    public boolean leads() {
        return "leader".equals(role) || "leading".equals(role);
    }

    /** True while the member is looking for a leader (no stable leader from its point of view). */
    public boolean electing() {
        return role == null || "candidate".equals(role) || "precandidate".equals(role) || "looking".equals(role);
    }
}
