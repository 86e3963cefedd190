package dev.ballot.nemesis;

import dev.ballot.engine.Protocol;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nemesis on real processes, CI-sized: {@code nemesis.seconds} of faults per protocol (30 by default; pass
 * {@code -Dnemesis.seconds=600} for a long run, {@code -Dnemesis.seed=N} to repeat one). The history must be
 * linearizable (unknown fails too) and no acknowledged write lost.
 */
class NemesisTest {
    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(value = 3, unit = java.util.concurrent.TimeUnit.HOURS)
    void aHistoryUnderKillsPausesPartitionsAndFullDisksIsLinearizableAndLosesNothing(Protocol protocol) throws Exception {
        long seconds = Long.getLong("nemesis.seconds", 30);
        long seed = Long.getLong("nemesis.seed", 0);
        if (seed == 0) {
            seed = System.nanoTime() & 0xffffff;
        }
        NemesisRun.Result r = NemesisRun.run(new NemesisRun.Settings(protocol, 3, 4, 3, Duration.ofSeconds(seconds), seed,
                Path.of(System.getProperty("nemesis.out", "target/nemesis")), List.of(Faults.Kind.values())));
        assertThat(r.ops()).as("operations recorded").isGreaterThan(50);
        assertThat(r.line()).as("disk-full runs only as root; this machine's CI runs as root").doesNotContain("needs root");
        assertThat(r.passed()).as("%s; %s; kept in %s", r.line(), r.check().detail(), r.dir()).isTrue();
    }
}
