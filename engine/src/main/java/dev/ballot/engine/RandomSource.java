package dev.ballot.engine;

import java.util.SplittableRandom;

/** The only randomness the engine sees: injected, so that a seed replays a run exactly. */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly distributed int in [0, bound). */
    int nextInt(int bound);

    static RandomSource seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return random::nextInt;
    }
}
