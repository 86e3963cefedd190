package dev.ballot.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationsTest {
    @ParameterizedTest(name = "{0} = {1} ns")
    @CsvSource({
        "150ms, 150000000",
        "1s, 1000000000",
        "1.5s, 1500000000",
        "1m30s, 90000000000",
        "2h, 7200000000000",
        "250us, 250000",
        "10ns, 10"})
    void parses(String text, long nanos) {
        assertThat(GoDurations.parse(text)).contains(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "150", "ms", "1 s", "1d", "-1s", "1s2"})
    void rejects(String text) {
        assertThat(GoDurations.parse(text)).isEmpty();
    }
}
