package dev.ballot.nodeapi;

/** A read's consistency ({@code ?consistency=}). */
public enum Consistency {
    /** The default: the leader confirms its leadership with a quorum; followers forward. */
    LINEARIZABLE("linearizable"),
    /** This member's own state, possibly stale, never forwarded. */
    SERIALIZABLE("serializable");

    private final String wireName;

    Consistency(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
