package dev.ballot.nodeapi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventLinesTest {
    @Test
    void dispatchesOnABlankLineJoinsDataLinesAndSkipsComments() {
        List<String> seen = new ArrayList<>();
        EventLines lines = new EventLines((type, data) -> seen.add(type + "=" + data));
        for (String l : List.of("event: status", "data: {\"a\":1}", "", ": keep-alive", "", "data:x", "data: y", "",
                "event: status", "id: 7", "data: {}", "")) {
            lines.line(l);
        }
        assertThat(seen).containsExactly("status={\"a\":1}", "message=x\ny", "status={}");
    }
}
