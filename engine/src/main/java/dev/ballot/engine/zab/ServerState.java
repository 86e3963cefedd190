package dev.ballot.engine.zab;

/** ZooKeeper's peer states; {@link #wireName()} is the role NODE-API.md shows. */
public enum ServerState {
    LOOKING, FOLLOWING, LEADING, OBSERVING;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
