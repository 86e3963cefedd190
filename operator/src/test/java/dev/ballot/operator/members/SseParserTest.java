package dev.ballot.operator.members;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
    @Test
    void dispatchesOnBlankLinesAndJoinsDataLines() {
        List<String> seen = new ArrayList<>();
        SseParser parser = new SseParser((type, data) -> seen.add(type + "=" + data));
        for (String line : List.of(": comment", "event: status", "data: {\"a\":", "data: 1}", "", "data:plain", "",
                "event: status", "id: 7", "")) {
            parser.line(line);
        }
        assertThat(seen).containsExactly("status={\"a\":\n1}", "message=plain");
    }
}
