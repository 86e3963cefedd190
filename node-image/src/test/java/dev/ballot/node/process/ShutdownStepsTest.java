package dev.ballot.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The close steps' deadlines: a step that never returns costs its deadline, is named, and storage still closes. */
@Timeout(30)
class ShutdownStepsTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void aStepThatNeverReturnsIsLeftBehindNamedWithAThreadDumpAndTheLaterStepsStillRun() {
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean storageClosed = new AtomicBoolean();
        long start = System.nanoTime();
        List<String> took = new ShutdownSteps("node-1", err, Duration.ofSeconds(10)).run(List.of(
                new ShutdownSteps.Step("http", Duration.ofMillis(300), () -> {
                    while (!release.get()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // deaf to the interrupt, as a JDK lock wait is
                    }
                }),
                new ShutdownSteps.Step("storage", Duration.ofSeconds(2), () -> storageClosed.set(true))));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        release.set(true);

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(storageClosed).as("storage closes after a step that overran").isTrue();
        assertThat(ms).as("the sequence's time: the stuck step's 300 ms deadline, its 200 ms after the interrupt")
                .isBetween(300L, 2_000L);
        assertThat(took.get(0)).startsWith("http OVERRAN ");
        assertThat(took.get(1)).startsWith("storage ").doesNotContain("OVERRAN");
        assertThat(out).contains("ballot-node node-1: close step 'http' did not finish within its 300 ms")
                .contains("\"ballot-shutdown-http\" TIMED_WAITING")
                .contains(ShutdownStepsTest.class.getName() + ".lambda$aStepThatNeverReturns");
    }

    @Test
    void aSlowStopPrintsItsStepAndTheThreadsOnceItHasRunLongerThanDumpAfter() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        List<String> took = new ShutdownSteps("node-2", err, Duration.ofMillis(200)).run(List.of(
                new ShutdownSteps.Step("runtime", Duration.ofSeconds(5), () -> slow.await(600, TimeUnit.MILLISECONDS))));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(took).hasSize(1);
        assertThat(took.get(0)).startsWith("runtime ").doesNotContain("OVERRAN");
        assertThat(out).contains("ballot-node node-2: still stopping ").contains("in step 'runtime'")
                .contains("\"ballot-shutdown-runtime\"");
        assertThat(out.split("still stopping", -1)).as("one dump, not one per poll").hasSize(2);
    }

    @Test
    void stepsWithNothingToCloseAreSkippedAndAFailureIsReportedWithoutStoppingTheRest() {
        AtomicBoolean last = new AtomicBoolean();
        List<String> took = new ShutdownSteps("node-3", err, Duration.ofSeconds(5)).run(List.of(
                new ShutdownSteps.Step("etcd", Duration.ofSeconds(1), null),
                new ShutdownSteps.Step("zookeeper", Duration.ofSeconds(1), () -> {
                    throw new IllegalStateException("boom");
                }),
                new ShutdownSteps.Step("storage", Duration.ofSeconds(1), () -> last.set(true))));
        assertThat(took).hasSize(2);
        assertThat(last).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("ballot-node node-3: closing zookeeper failed: java.lang.IllegalStateException: boom");
    }
}
