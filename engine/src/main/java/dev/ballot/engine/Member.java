package dev.ballot.engine;

import java.util.Objects;

/**
 * One member of a configuration. The address travels with configuration entries so that every
 * node learns where a new member lives; the engine itself never dials it.
 */
public record Member(long id, MemberKind kind, String address) {
    public Member {
        if (id <= 0) {
            throw new IllegalArgumentException("member id must be positive, got " + id);
        }
        Objects.requireNonNull(kind, "kind");
        address = address == null ? "" : address;
    }

    public Member withKind(MemberKind newKind) {
        return new Member(id, newKind, address);
    }
}
