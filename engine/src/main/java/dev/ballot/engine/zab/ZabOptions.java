package dev.ballot.engine.zab;

import dev.ballot.engine.Membership;
import dev.ballot.engine.RandomSource;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of one ZAB member. Timing follows ZooKeeper's definitions, with {@code tickTime}
 * counted in engine ticks (the node ticks every 10 ms, so tickTime 5 is 50 ms): a learner has
 * {@code initLimit} tickTimes to connect and sync, and is dropped (and drops its leader) after
 * {@code syncLimit} tickTimes without contact.
 */
public final class ZabOptions {
    private final long id;
    private final Membership initial;
    private final int tickTime;
    private final int initLimit;
    private final int syncLimit;
    private final int finalizeWait;
    private final RandomSource random;
    private final Set<ZabMutant> mutants;
    private final int maxBatch;
    private final long maxBatchBytes;

    private ZabOptions(Builder b) {
        this.id = b.id;
        this.initial = b.initial;
        this.tickTime = b.tickTime;
        this.initLimit = b.initLimit;
        this.syncLimit = b.syncLimit;
        this.finalizeWait = b.finalizeWait;
        this.random = b.random;
        this.mutants = Set.copyOf(b.mutants);
        this.maxBatch = b.maxBatch;
        this.maxBatchBytes = b.maxBatchBytes;
    }

    public static Builder builder(long id, Membership initial) {
        return new Builder(id, initial);
    }

    public long id() {
        return id;
    }

    public Membership initial() {
        return initial;
    }

    public int tickTime() {
        return tickTime;
    }

    public int initLimit() {
        return initLimit;
    }

    public int syncLimit() {
        return syncLimit;
    }

    /** Ticks a LOOKING server waits, once a quorum agrees, for a better vote before it settles. */
    public int finalizeWait() {
        return finalizeWait;
    }

    public RandomSource random() {
        return random;
    }

    public Set<ZabMutant> mutants() {
        return mutants;
    }

    /** Whether the deliberate bug {@code mutant} is switched in (simulator only); as {@link dev.ballot.engine.raft.RaftOptions#hasMutant}. */
    public boolean hasMutant(ZabMutant mutant) {
        return mutants.contains(mutant);
    }

    /** Most entries in one PROPOSAL batch or sync message. */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Most bytes of entries in one PROPOSAL, INFORM or sync message (at least one entry goes), as Raft's
     * maxBytesPerMessage: see {@link dev.ballot.engine.EntryBatch}. Default 1 MiB.
     */
    public long maxBatchBytes() {
        return maxBatchBytes;
    }

    /** Ticks without hearing the leader (or a quorum, on the leader) before giving up: syncLimit * tickTime. */
    public int syncTimeoutTicks() {
        return syncLimit * tickTime;
    }

    /** Ticks to finish discovery and synchronisation: initLimit * tickTime. */
    public int initTimeoutTicks() {
        return initLimit * tickTime;
    }

    /** Ticks between leader pings: half a tickTime, as ZooKeeper does, at least one. */
    public int pingIntervalTicks() {
        return Math.max(1, tickTime / 2);
    }

    public static final class Builder {
        private final long id;
        private final Membership initial;
        private int tickTime = 5;
        private int initLimit = 10;
        private int syncLimit = 4;
        private int finalizeWait = 2;
        private RandomSource random = RandomSource.seeded(1);
        private Set<ZabMutant> mutants = EnumSet.noneOf(ZabMutant.class);
        private int maxBatch = 256;
        private long maxBatchBytes = dev.ballot.engine.EntryBatch.DEFAULT_MAX_BYTES;

        private Builder(long id, Membership initial) {
            if (id <= 0) {
                throw new IllegalArgumentException("id must be positive (server.N with N >= 1), got " + id);
            }
            this.id = id;
            this.initial = Objects.requireNonNull(initial, "initial membership");
        }

        /** ZooKeeper's tickTime in engine ticks (>= 1). */
        public Builder tickTime(int engineTicks) {
            this.tickTime = positive("tickTime", engineTicks);
            return this;
        }

        public Builder initLimit(int ticks) {
            this.initLimit = positive("initLimit", ticks);
            return this;
        }

        public Builder syncLimit(int ticks) {
            this.syncLimit = positive("syncLimit", ticks);
            return this;
        }

        public Builder finalizeWait(int engineTicks) {
            if (engineTicks < 0) {
                throw new IllegalArgumentException("finalizeWait must be >= 0 engine ticks, got " + engineTicks);
            }
            this.finalizeWait = engineTicks;
            return this;
        }

        public Builder maxBatch(int entries) {
            this.maxBatch = positive("maxBatch", entries);
            return this;
        }

        public Builder maxBatchBytes(long bytes) {
            this.maxBatchBytes = dev.ballot.engine.EntryBatch.checkBudget("maxBatchBytes", bytes);
            return this;
        }

        public Builder random(RandomSource random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Builder mutants(Set<ZabMutant> mutants) {
            this.mutants = EnumSet.noneOf(ZabMutant.class);
            this.mutants.addAll(mutants);
            return this;
        }

        public ZabOptions build() {
            return new ZabOptions(this);
        }

        private static int positive(String field, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(field + " must be >= 1, got " + value
                        + " (ZooKeeper defines it in ticks; set a positive number)");
            }
            return value;
        }
    }
}
