package dev.ballot.engine.zab;

/**
 * Deliberate bugs the simulator must catch; each one breaks a rule the real protocol depends on.
 * Production code never enables any (the node program passes an empty set).
 */
public enum ZabMutant {
    /**
     * FLE compares votes by epoch and server id only, so a server missing transactions can win, and
     * the leader trusts that election (discovery's "is a follower ahead of me?" check is skipped).
     */
    VOTE_IGNORES_ZXID("votes compared without zxid, leader trusts the vote"),
    /** The leader commits a proposal as soon as it logs it, before a quorum acknowledged it. */
    COMMIT_BEFORE_QUORUM("commit before a quorum of ACKs"),
    /** A learner ignores TRUNC and keeps transactions the new leader does not have. */
    SKIP_TRUNC("follower skips TRUNC"),
    /** A follower appends proposals that do not follow its last zxid (ZOOKEEPER-4925). */
    ACCEPT_GAPS("follower accepts proposals with a gap");

    private final String description;

    ZabMutant(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** The mutant named {@code name} as {@code simulate --mutant} spells it. */
    public static java.util.Optional<ZabMutant> fromWireName(String name) {
        for (ZabMutant m : values()) {
            if (m.wireName().equals(name)) {
                return java.util.Optional.of(m);
            }
        }
        return java.util.Optional.empty();
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
