package dev.ballot.node.http;

import dev.ballot.engine.MemberProgress;
import dev.ballot.engine.Membership;
import dev.ballot.engine.NodeStatus;
import dev.ballot.engine.Protocol;
import dev.ballot.node.server.RuntimeStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The readiness decision as a table: each row one reason, or ready. */
class ReadinessTest {
    private static RuntimeStatus status(long self, long leader, long commit, long applied, Membership m, long contactAgoMs,
                                        Protocol protocol) {
        NodeStatus st = new NodeStatus(self, protocol, leader == self ? "leader" : "follower", 3, leader, commit, applied,
                commit, List.<MemberProgress>of());
        return new RuntimeStatus(st, m, Instant.now(), System.nanoTime() - contactAgoMs * 1_000_000, System.nanoTime(), null);
    }

    @Test
    void readinessTable() {
        Membership three = Membership.voters(1, 2, 3);
        assertThat(StatusRoutes.notReadyReason(true, status(1, 2, 10, 10, three, 5, Protocol.RAFT))).isNull();
        assertThat(StatusRoutes.notReadyReason(true, status(1, 1, 10, 10, three, 9999, Protocol.RAFT))).as("leader").isNull();
        assertThat(StatusRoutes.notReadyReason(false, status(1, 2, 10, 10, three, 5, Protocol.RAFT))).contains("not running");
        assertThat(StatusRoutes.notReadyReason(true, status(4, 2, 10, 10, three, 5, Protocol.RAFT))).contains("not a member");
        assertThat(StatusRoutes.notReadyReason(true, status(1, 0, 10, 10, three, 5, Protocol.RAFT))).contains("no leader");
        assertThat(StatusRoutes.notReadyReason(true, status(1, 2, 5000, 10, three, 5, Protocol.RAFT))).contains("behind");
        assertThat(StatusRoutes.notReadyReason(true, status(1, 2, 10, 10, three, 5000, Protocol.RAFT))).contains("no word from the leader");
        // ZAB zxids of different epochs cannot be subtracted: not counted as lag.
        assertThat(StatusRoutes.notReadyReason(true, status(1, 2, 3L << 32 | 1, 2L << 32 | 900, three, 5, Protocol.ZAB))).isNull();
        assertThat(StatusRoutes.notReadyReason(true, status(1, 2, 3L << 32 | 5000, 3L << 32 | 1, three, 5, Protocol.ZAB))).contains("behind");
    }
}
