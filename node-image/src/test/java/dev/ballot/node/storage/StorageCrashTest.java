package dev.ballot.node.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.engine.PersistedState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kills a child JVM with SIGKILL during a write storm and checks recovery: every persist that returned is there,
 * nothing is there that was not written in order, and the log takes new writes after recovery.
 */
class StorageCrashTest {
    private static final int ROUNDS = 4;
    private static final int BATCH = 7;

    @Test
    void everyAcknowledgedPersistSurvivesSigkill() throws Exception {
        long seed = Long.getLong("ballot.crash.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Path dir = Files.createTempDirectory("ballot-crash-");
        String replay = "replay with -Dballot.crash.seed=" + seed + "; data dir kept at " + dir;
        long maxAcked = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), StorageCrashChild.class.getName(),
                    dir.toString(), Integer.toString(BATCH), "16384")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (Exception ignored) {
                    // the child was killed
                }
                lines.add("EOF");
            });
            reader.setDaemon(true);
            reader.start();
            String start = lines.poll(30, TimeUnit.SECONDS);
            assertThat(start).as("child started (%s)", replay).startsWith("START ");
            assertThat(Long.parseLong(start.substring(6))).as("child recovered every acked entry (%s)", replay)
                    .isGreaterThanOrEqualTo(maxAcked);
            int acksBeforeKill = 50 + random.nextInt(300);
            for (int i = 0; i < acksBeforeKill; i++) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertThat(line).as("child acked (%s)", replay).isNotNull().startsWith("ACK ");
                maxAcked = Long.parseLong(line.substring(4));
            }
            // SIGKILL while it is inside the next persist. Through the handle, not Process.destroyForcibly(), which
            // also closes our end of the pipe: ACK lines the reader had not read yet would be lost, and the check
            // below would count a durable, acknowledged batch as one written beyond the last ack.
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(10_000);
            for (String line : lines) {
                if (line.startsWith("ACK ")) {
                    maxAcked = Math.max(maxAcked, Long.parseLong(line.substring(4)));
                }
            }
            try (FileNodeStorage s = FileNodeStorage.open(dir, "crash", 1, null, 16384)) {
                PersistedState st = s.load();
                long k = st.entries().size();
                assertThat(k).as("round %d: recovered entries cover every ack (%s)", round, replay)
                        .isGreaterThanOrEqualTo(maxAcked);
                assertThat(k).as("round %d: at most the batch in flight beyond the last ack (%s)", round, replay)
                        .isLessThanOrEqualTo(maxAcked + BATCH);
                assertThat(k % BATCH).as("round %d: no half batch: a batch is one group commit (%s)", round, replay).isZero();
                List<Long> wrong = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    if (!st.entries().get(i).equals(Readies.entry(i + 1, 1))) {
                        wrong.add(i + 1L);
                    }
                }
                assertThat(wrong).as("round %d: entries read back exactly, in order (%s)", round, replay).isEmpty();
                assertThat(st.hardState().commit()).as("hard state of the last durable batch (%s)", replay).isEqualTo(k);
                maxAcked = k;
            }
        }
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
