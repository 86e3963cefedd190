package dev.ballot.node.http;

import dev.ballot.nodeapi.ErrorCode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every error code the handlers answer with is one the node-api module (and so docs/node-api.md) knows. */
class ErrorCodesKnownTest {
    private static final Pattern CODE = Pattern.compile(
            "(?:ApiException\\(\\s*\\d{3},\\s*|Exchanges\\.error\\(|answerError\\(ex, \\d{3}, )\"([a-z_]+)\"");

    @Test
    void theHandlersAnswerOnlyWithDocumentedCodes() throws IOException {
        TreeSet<String> used = new TreeSet<>();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/ballot/node/http"))) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
        }
        for (Path p : sources) {
            Matcher m = CODE.matcher(Files.readString(p));
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        assertThat(used).hasSizeGreaterThan(15).contains("bad_json", "no_leader", "busy", "internal");
        for (String code : used) {
            assertThat(ErrorCode.fromWire(code)).as(code).isNotEqualTo(ErrorCode.UNKNOWN);
        }
    }
}
