package dev.ballot.node.it;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.FailoverDemo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's {@code --fault freeze} on real processes, for both protocols: the leader is SIGSTOPped (its
 * sockets stay open, so only the election timeout can reveal it) under a steady write load, a new leader must
 * be elected among the others, and afterwards every acknowledged write is read back linearizably. No timing
 * is asserted (that is bench/run's job); {@link FailoverDemo} fails with a message naming the step that did
 * not happen within its bound (a new leader within 30 s, a write acknowledged after the fault within 30 s).
 * On failure the node logs are kept and their path printed.
 */
class FrozenLeaderFailoverProcessTest {
    /** The demo's own default node JVM options. */
    private static final List<String> NODE_JVM = List.of("-Xms32m", "-Xmx192m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");
    private static final int FREEZES = 2;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path work;

    @ParameterizedTest
    @EnumSource(Protocol.class)
    @Timeout(240)
    void aFrozenLeaderIsReplacedAndNoAcknowledgedWriteIsLost(Protocol protocol) throws Exception {
        System.out.println("FrozenLeaderFailoverProcessTest " + protocol + ": node logs in " + work + " (kept on failure)");
        FailoverDemo demo = new FailoverDemo(protocol, 3, FREEZES, FailoverDemo.Fault.FREEZE, DemoTiming.SEED, 2,
                NODE_JVM, System.out);

        FailoverDemo.Result r = demo.run(work);

        assertThat(r.failovers()).isEqualTo(FREEZES);
        assertThat(r.unavailableMs()).as("one new leader and one acknowledged write after each freeze").hasSize(FREEZES);
        assertThat(r.writesAcked()).as("writes acknowledged over the run").isPositive();
        assertThat(r.writesLost()).as("acknowledged writes missing or wrong when read back").isZero();
    }
}
