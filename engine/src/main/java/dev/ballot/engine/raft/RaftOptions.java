package dev.ballot.engine.raft;

import dev.ballot.engine.Membership;
import dev.ballot.engine.RandomSource;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a Raft member is configured with. Build with {@link #builder(long, Membership)}; defaults are the
 * seed's timing at a 10 ms tick (election 15-30 ticks, heartbeat 5), PreVote and CheckQuorum on.
 *
 * @param initial the bootstrap configuration, identical on every member; used until the log or a snapshot
 *                carries a newer one. A member that joins later is started with it too (it is not in it, so it
 *                waits for the leader).
 * @param maxBytesPerMessage etcd-io/raft's MaxSizePerMsg: an append carries entries up to this many bytes (and at
 *                least one entry), see {@link dev.ballot.engine.EntryBatch}; default 1 MiB
 */
public record RaftOptions(long id, Membership initial, int electionTicksMin, int electionTicksMax,
                          int heartbeatTicks, boolean preVote, boolean checkQuorum, int maxInflight,
                          int maxEntriesPerMessage, long maxBytesPerMessage, RandomSource random,
                          Set<RaftMutant> mutants) {

    public RaftOptions {
        Objects.requireNonNull(initial, "initial membership");
        Objects.requireNonNull(random, "random");
        mutants = mutants.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(mutants));
    }

    public static Builder builder(long id, Membership initial) {
        return new Builder(id, initial);
    }

    /** Whether the deliberate bug {@code m} is switched in (simulator only); the same name as {@link dev.ballot.engine.zab.ZabOptions#hasMutant}. */
    public boolean hasMutant(RaftMutant m) {
        return mutants.contains(m);
    }

    public static final class Builder {
        private final long id;
        private final Membership initial;
        private int electionMin = 15;
        private int electionMax = 30;
        private int heartbeat = 5;
        private boolean preVote = true;
        private boolean checkQuorum = true;
        private int maxInflight = 256;
        private int maxEntriesPerMessage = 64;
        private long maxBytesPerMessage = dev.ballot.engine.EntryBatch.DEFAULT_MAX_BYTES;
        private RandomSource random;
        private Set<RaftMutant> mutants = Set.of();

        private Builder(long id, Membership initial) {
            this.id = id;
            this.initial = initial;
        }

        public Builder electionTicks(int min, int max) {
            this.electionMin = min;
            this.electionMax = max;
            return this;
        }

        public Builder heartbeatTicks(int ticks) {
            this.heartbeat = ticks;
            return this;
        }

        public Builder preVote(boolean on) {
            this.preVote = on;
            return this;
        }

        public Builder checkQuorum(boolean on) {
            this.checkQuorum = on;
            return this;
        }

        public Builder maxInflight(int messages) {
            this.maxInflight = messages;
            return this;
        }

        public Builder maxEntriesPerMessage(int entries) {
            this.maxEntriesPerMessage = entries;
            return this;
        }

        public Builder maxBytesPerMessage(long bytes) {
            this.maxBytesPerMessage = bytes;
            return this;
        }

        public Builder random(RandomSource source) {
            this.random = source;
            return this;
        }

        public Builder mutants(Set<RaftMutant> bugs) {
            this.mutants = Objects.requireNonNull(bugs, "mutants");
            return this;
        }

        public RaftOptions build() {
            if (id <= 0) {
                throw new IllegalArgumentException("id must be positive, got " + id);
            }
            if (initial == null) {
                throw new IllegalArgumentException("initial membership is required (the bootstrap configuration)");
            }
            if (electionMin < 2 || electionMax < electionMin) {
                throw new IllegalArgumentException("electionTicks(min, max) needs 2 <= min <= max, got min="
                        + electionMin + " max=" + electionMax);
            }
            if (heartbeat < 1 || heartbeat >= electionMin) {
                throw new IllegalArgumentException("heartbeatTicks must be >= 1 and below the election minimum ("
                        + electionMin + "), got " + heartbeat);
            }
            if (maxInflight < 1) {
                throw new IllegalArgumentException("maxInflight must be >= 1, got " + maxInflight);
            }
            if (maxEntriesPerMessage < 1) {
                throw new IllegalArgumentException("maxEntriesPerMessage must be >= 1, got " + maxEntriesPerMessage);
            }
            dev.ballot.engine.EntryBatch.checkBudget("maxBytesPerMessage", maxBytesPerMessage);
            RandomSource r = random != null ? random : RandomSource.seeded(id);
            return new RaftOptions(id, initial, electionMin, electionMax, heartbeat, preVote, checkQuorum,
                    maxInflight, maxEntriesPerMessage, maxBytesPerMessage, r, mutants);
        }
    }
}
