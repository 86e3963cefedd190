package dev.ballot.engine;

/** A state machine image covering every entry up to and including {@code index}. */
public record Snapshot(long index, long term, Membership membership, byte[] data) {
    public Snapshot {
        data = data == null ? new byte[0] : data;
    }
}
