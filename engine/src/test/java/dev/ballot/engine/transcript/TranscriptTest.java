package dev.ballot.engine.transcript;

import dev.ballot.engine.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Behaviours that read best as a transcript (src/test/resources/testdata/{raft,zab}/*.txt), one Ready per step as
 * etcd-io/raft's interaction tests print them; the commands are {@link TranscriptCluster}'s. After a deliberate
 * change of behaviour, rewrite the expected outputs with {@code -Dballot.rewrite=true} and read the diff.
 */
class TranscriptTest {
    private static final Path DIR = Path.of("src/test/resources/testdata");

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(DIR)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
            assertThat(files).as("transcripts under " + DIR.toAbsolutePath()).isNotEmpty();
            return files.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void transcript(Path file) throws IOException {
        Protocol protocol = Protocol.valueOf(file.getParent().getFileName().toString().toUpperCase(Locale.ROOT));
        assertThat(Transcript.run(file, new TranscriptCluster(protocol)::run)).isEmpty();
    }

    @Test
    void aWrongExpectationIsReported() throws IOException {
        Path tmp = Files.createTempFile("transcript", ".txt");
        try {
            Files.writeString(tmp, "add-nodes 3\n----\nnot what it prints\n", StandardCharsets.UTF_8);
            assertThat(Transcript.run(tmp, new TranscriptCluster(Protocol.RAFT)::run, false)).singleElement().asString()
                    .contains("--- expected\nnot what it prints").contains("--- actual\nok");
        } finally {
            Files.delete(tmp);
        }
    }
}
