package dev.ballot.engine.raft;

/**
 * The leader's view of one follower (etcd's tracker.Progress). PROBE: one append at a time until we find where
 * the logs agree. REPLICATE: stream appends optimistically, bounded by {@link Inflights}. SNAPSHOT: wait for the
 * follower to install the snapshot we sent.
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    long match;
    long next;
    State state = State.PROBE;
    boolean probeSent;
    long pendingSnapshot;
    long snapshotSentTick;
    boolean recentActive;
    long lastContactTick;
    final Inflights inflights;

    Progress(long next, int maxInflight, long nowTick) {
        this.next = next;
        this.inflights = new Inflights(maxInflight);
        this.lastContactTick = nowTick;
    }

    void becomeProbe() {
        if (state == State.SNAPSHOT) {
            next = Math.max(match + 1, pendingSnapshot + 1);
        } else {
            next = match + 1;
        }
        state = State.PROBE;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    void becomeSnapshot(long index, long tick) {
        state = State.SNAPSHOT;
        pendingSnapshot = index;
        snapshotSentTick = tick;
        probeSent = false;
        inflights.reset();
    }

    /** A successful append response for {@code index}; false when it tells us nothing new. */
    boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /** A rejection of the append at {@code rejected}; false when it is stale. */
    boolean maybeDecrTo(long rejected, long matchHint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    void sentEntries(int count, long lastSent) {
        if (state == State.REPLICATE) {
            if (count > 0) {
                next = lastSent + 1;
                inflights.add(lastSent);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }
}
