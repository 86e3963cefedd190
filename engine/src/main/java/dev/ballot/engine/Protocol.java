package dev.ballot.engine;

/** The consensus protocol a cluster runs; chosen once per cluster. */
public enum Protocol {
    RAFT, ZAB;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
