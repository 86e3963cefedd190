package dev.ballot.engine.raft;

/** The last index of each append message in flight to one follower, oldest first; bounded so a slow follower cannot swamp us. */
final class Inflights {
    private final long[] buffer;
    private int start;
    private int count;

    Inflights(int capacity) {
        this.buffer = new long[capacity];
    }

    boolean full() {
        return count == buffer.length;
    }

    int count() {
        return count;
    }

    void add(long lastIndex) {
        if (full()) {
            throw new IllegalStateException("inflights full");
        }
        buffer[(start + count) % buffer.length] = lastIndex;
        count++;
    }

    /** Free every message whose last index is at or below {@code index}: the follower has it. */
    void freeLE(long index) {
        while (count > 0 && buffer[start] <= index) {
            start = (start + 1) % buffer.length;
            count--;
        }
    }

    void reset() {
        start = 0;
        count = 0;
    }
}
