package dev.ballot.nodeapi;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The answer of {@code GET /v1/admin/members} and of every membership change: the configuration
 * {@code {"members": [...]}} as the answering node knows it.
 */
public record Configuration(List<Entry> members) {
    public Configuration {
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** @param kind {@code voter|learner|observer} */
    @JsonPropertyOrder({"id", "memberId", "address", "kind"})
    public record Entry(String id, long memberId, String address, String kind) {
    }

    /** The entry named {@code name}, or null. */
    public Entry member(String name) {
        return members.stream().filter(m -> m.id().equals(name)).findFirst().orElse(null);
    }
}
