package dev.ballot.engine.zab;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class SyncPlanTest {
    private static long z(String s) {
        String[] p = s.split("\\.");
        return Zxid.of(Long.parseLong(p[0]), Long.parseLong(p[1]));
    }

    private static long[] zs(String list) {
        if (list.isBlank()) {
            return new long[0];
        }
        return Arrays.stream(list.trim().split(" ")).mapToLong(SyncPlanTest::z).toArray();
    }

    @ParameterizedTest(name = "peer {0}, snapshot {1}, leader [{2}] -> {4} {5}")
    @CsvSource({
            // peer last | leader snapshot | leader log after snapshot | force | mode | point
            "0.0, 0.0, '',              false, DIFF,  0.0",  // both empty
            "1.3, 0.0, '1.1 1.2 1.3',   false, DIFF,  1.3",  // identical: empty DIFF
            "1.1, 0.0, '1.1 1.2 1.3',   false, DIFF,  1.1",  // behind: DIFF from its last
            "0.0, 0.0, '1.1 1.2',       false, DIFF,  0.0",  // empty learner, full log
            "1.4, 0.0, '1.1 1.2 1.3',   false, TRUNC, 1.3",  // ahead in the same epoch: TRUNC to leader's last
            "1.3, 0.0, '1.1 1.2 2.1',   false, TRUNC, 1.2",  // uncommitted 1.3 lost to epoch 2
            "1.5, 0.0, '1.1 1.2 3.1 3.2', false, TRUNC, 1.2",
            "2.2, 0.0, '1.1 2.1 3.1',   false, TRUNC, 2.1",  // diverged inside epoch 2's tail
            "1.1, 1.2, '1.3 2.1',       false, SNAP,  1.2",  // peer older than the snapshot
            "1.2, 1.2, '1.3 2.1',       false, DIFF,  1.2",  // peer exactly at the snapshot
            "1.3, 1.2, '2.1',           false, TRUNC, 1.2",  // divergence right after the snapshot
            "1.2, 1.2, '',              false, DIFF,  1.2",  // leader has only a snapshot
            "1.3, 0.0, '1.1 1.2 1.3',   true,  SNAP,  0.0",  // learner asked for a snapshot
    })
    void decide(String peer, String snapshot, String leaderLog, boolean force, SyncPlan.Mode mode, String point) {
        SyncPlan plan = SyncPlan.decide(z(peer), z(snapshot), zs(leaderLog), force);
        assertThat(plan.mode()).isEqualTo(mode);
        long expected = z(point);
        switch (mode) {
            case TRUNC -> assertThat(plan.truncateTo()).isEqualTo(expected);
            default -> assertThat(plan.diffFrom()).isEqualTo(expected);
        }
    }
}
