package dev.ballot.engine.zab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.engine.EntryType;
import dev.ballot.engine.LogEntry;
import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MembershipCodec;
import dev.ballot.engine.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration in force at each point of a history, through appends, truncation, compaction and install. */
class ZabLogConfigTest {
    private static final Membership THREE = Membership.voters(1, 2, 3);
    private static final Membership FOUR = THREE.with(new Member(4, MemberKind.OBSERVER, "n4:2888"));
    private static final Membership FIVE = FOUR.with(new Member(5, MemberKind.OBSERVER, "n5:2888"));

    private static long z(long epoch, long counter) {
        return Zxid.of(epoch, counter);
    }

    private static LogEntry command(long zxid) {
        return new LogEntry(zxid, Zxid.epoch(zxid), EntryType.COMMAND, new byte[] {1});
    }

    private static LogEntry config(long zxid, Membership m) {
        return new LogEntry(zxid, Zxid.epoch(zxid), EntryType.CONFIG, MembershipCodec.encode(m));
    }

    @Test
    void theLastConfigEntryAtOrBeforeAZxidIsInForceThere() {
        ZabLog log = new ZabLog(THREE, null, List.of(command(z(1, 1)), config(z(1, 2), FOUR), command(z(1, 3))));
        log.append(config(z(1, 4), FIVE));
        log.append(command(z(1, 5)));
        assertThat(log.configAt(z(1, 1))).as("before any CONFIG entry: the initial one").isSameAs(THREE);
        assertThat(ids(log.configAt(z(1, 2)))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(ids(log.configAt(z(1, 3)))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(ids(log.configAt(z(1, 5)))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(ids(log.latestConfig())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(log.latestConfigZxid()).isEqualTo(z(1, 4));

        assertThat(log.truncateAfter(z(1, 3))).isEqualTo(2);
        assertThat(ids(log.latestConfig())).as("the truncated CONFIG entry is gone").containsExactly(1L, 2L, 3L, 4L);
        assertThat(log.latestConfigZxid()).isEqualTo(z(1, 2));
        log.append(command(z(2, 1)));
        assertThat(ids(log.configAt(z(2, 1)))).containsExactly(1L, 2L, 3L, 4L);

        log.compact(z(1, 3), new byte[0]);
        assertThat(log.latestConfigZxid()).as("compacted into the snapshot").isZero();
        assertThat(ids(log.configAt(z(2, 1)))).as("from the snapshot").containsExactly(1L, 2L, 3L, 4L);
        assertThat(log.configVersion()).isEqualTo(z(1, 3));

        log.install(new Snapshot(z(3, 7), 3, FIVE, new byte[0]));
        assertThat(ids(log.latestConfig())).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(log.latestConfigZxid()).isZero();
    }

    @Test
    void aConfigEntryReplacedAfterTruncationIsDecodedAgain() {
        ZabLog log = new ZabLog(THREE, null, List.of());
        log.append(config(z(1, 1), FOUR));
        assertThat(ids(log.latestConfig())).containsExactly(1L, 2L, 3L, 4L);
        log.truncateAfter(0);
        log.append(config(z(1, 1), FIVE));
        assertThat(ids(log.latestConfig())).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    private static List<Long> ids(Membership m) {
        return m.ids();
    }
}
