package dev.ballot.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench measures members with the node image's JVM flags: the two lists must not drift apart. */
class BallotJvmTest {
    /** The image's flags that a bench process has no use for: a pod's limit, its OOM policy, its paths. */
    private static final List<String> POD_ONLY = List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError",
            "-Djava.io.tmpdir=/tmp");
    /** The bench's replacement for the image's percentage of the pod's memory limit. */
    private static final List<String> BENCH_ONLY = List.of("-Xmx256m");

    @Test
    void benchMembersRunWithTheImagesEntrypointFlags() throws Exception {
        String pom = Files.readString(Path.of("..", "node-image", "pom.xml"));
        Matcher entrypoint = Pattern.compile("<entrypoint>(.*?)</entrypoint>", Pattern.DOTALL).matcher(pom);
        assertThat(entrypoint.find()).as("node-image/pom.xml has a jib <entrypoint>").isTrue();
        List<String> image = new ArrayList<>();
        Matcher arg = Pattern.compile("<arg>([^<]*)</arg>").matcher(entrypoint.group(1));
        while (arg.find()) {
            if (arg.group(1).startsWith("-X") || arg.group(1).startsWith("-D")) {
                image.add(arg.group(1));
            }
        }
        image.removeAll(POD_ONLY);
        List<String> bench = new ArrayList<>(Arrays.asList(BenchMain.BALLOT_JVM.split(" ")));
        bench.removeAll(BENCH_ONLY);
        assertThat(bench).as("BenchMain.BALLOT_JVM against node-image/pom.xml's entrypoint")
                .containsExactlyInAnyOrderElementsOf(image);
    }
}
