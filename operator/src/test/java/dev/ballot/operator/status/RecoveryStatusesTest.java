package dev.ballot.operator.status;

import dev.ballot.operator.api.RecoveryStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecoveryStatusesTest {
    private static final Instant AT = Instant.parse("2026-12-07T00:30:00Z");

    private record Row(boolean zab, long index, long term, String zxid, String lost) {
    }

    @Test
    void theKeptIndexAndWhatMayBeLostInTheProtocolsOwnTerms() {
        List<Row> table = List.of(
                new Row(false, 205, 3, null, "writes acknowledged after index 205 may be lost"),
                // ZAB: the index is the zxid as a number; ZooKeeper users read it in hex (epoch 2, counter 0x40)
                new Row(true, 0x200000040L, 2, "0x200000040",
                        "writes acknowledged after index 8589934656 (zxid 0x200000040) may be lost"),
                new Row(true, 0x100000001L, 1, "0x100000001", "(zxid 0x100000001) may be lost"));
        for (Row row : table) {
            RecoveryStatus r = RecoveryStatuses.of("ec-1", "req-7", row.index(), row.term(), row.zab(), AT);
            assertThat(r.member).isEqualTo("ec-1");
            assertThat(r.requestId).isEqualTo("req-7");
            assertThat(r.keptIndex).as(row.toString()).isEqualTo(row.index());
            assertThat(r.keptTerm).isEqualTo(row.term());
            assertThat(r.keptZxid).as(row.toString()).isEqualTo(row.zxid());
            assertThat(r.time).isEqualTo("2026-12-07T00:30:00Z");
            assertThat(r.mayHaveLost).as(row.toString()).contains(row.lost())
                    .isEqualTo(RecoveryStatuses.mayHaveLost(row.index(), row.zab()));
        }
    }
}
