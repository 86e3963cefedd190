package dev.ballot.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencyStatsTest {
    @Test
    void nearestRankOnHundredSamplesIgnoresInputOrder() {
        List<Long> samples = new ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            samples.add(i * 1_000_000);
        }
        Collections.shuffle(samples, new java.util.Random(7));
        LatencyStats s = LatencyStats.ofNanos(samples);
        assertThat(s.percentileMs(50)).isEqualTo(50.0);
        assertThat(s.percentileMs(99)).isEqualTo(99.0);
        assertThat(s.maxMs()).isEqualTo(100.0);
        assertThat(s.count()).isEqualTo(100);
    }

    @Test
    void smallSamplesNeverInterpolate() {
        LatencyStats s = LatencyStats.ofNanos(List.of(3_000_000L, 1_000_000L, 2_000_000L));
        assertThat(s.percentileMs(50)).isEqualTo(2.0); // rank ceil(1.5) = 2
        assertThat(s.percentileMs(99)).isEqualTo(3.0);
        assertThat(LatencyStats.ofNanos(List.of(5L)).percentileNanos(1)).isEqualTo(5L);
    }

    @Test
    void emptyOrOutOfRangeIsAnError() {
        assertThatThrownBy(() -> LatencyStats.ofNanos(List.of()).percentileMs(50))
                .hasMessageContaining("no samples");
        assertThatThrownBy(() -> LatencyStats.ofNanos(List.of(1L)).percentileMs(0))
                .hasMessageContaining("(0, 100]");
    }
}
