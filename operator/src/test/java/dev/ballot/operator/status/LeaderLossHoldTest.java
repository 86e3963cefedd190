package dev.ballot.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LeaderLossHoldTest {
    private static final MemberObservation GONE = MemberObservation.unreachable("ec-0", "ClosedChannelException");
    private static final MemberObservation LEADS = MemberObservation.reachable("ec-0", report("ec-0", "leader", "ec-0"));
    private static final MemberObservation FOLLOWS = MemberObservation.reachable("ec-1", report("ec-1", "follower", "ec-0"));
    private static final MemberObservation ELECTS = MemberObservation.reachable("ec-1", report("ec-1", "precandidate", null));
    /** ec-2: the stored status shows it unreachable (its pod restarting); now it looks for the leader. */
    private static final MemberObservation ELECTS_AFTER_RESTART = MemberObservation.reachable("ec-2",
            report("ec-2", "looking", null));

    static Stream<Arguments> cases() {
        return Stream.of(
                // name, previous (leader, term), next (leader, term), ec-0 (the leader), ec-1, expected
                Arguments.of("leader gone, the same leader still named", "ec-0", 3L, "ec-0", 3L, GONE, FOLLOWS, true),
                Arguments.of("leader gone, no leader named", "ec-0", 3L, null, 3L, GONE, FOLLOWS, true),
                Arguments.of("a follower electing before the leader's link closed", "ec-0", 3L, "ec-0", 3L, LEADS, ELECTS, true),
                Arguments.of("the leader's pod not ready before its link closed", "ec-0", 3L, "ec-0!", 3L, LEADS, FOLLOWS, true),
                Arguments.of("a new leader named", "ec-0", 3L, "ec-1", 4L, GONE, ELECTS, false),
                Arguments.of("the same leader in a higher term", "ec-0", 3L, "ec-0", 4L, GONE, FOLLOWS, false),
                Arguments.of("all well: nothing to hold", "ec-0", 3L, "ec-0", 3L, LEADS, FOLLOWS, false),
                Arguments.of("no leader before: nothing lost", null, 3L, null, 3L, GONE, ELECTS, false),
                Arguments.of("a member back from a restart elects: not the leader's trouble", "ec-0", 3L, "ec-0", 3L,
                        LEADS, ELECTS_AFTER_RESTART, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void applies(String name, String prevLeader, Long prevTerm, String nextLeader, Long nextTerm, MemberObservation ec0,
                 MemberObservation ec1, boolean expected) {
        Map<String, MemberObservation> members = ec1.name().equals("ec-1") ? Map.of("ec-0", ec0, "ec-1", ec1)
                : Map.of("ec-0", ec0, "ec-1", FOLLOWS, ec1.name(), ec1);
        assertThat(LeaderLossHold.applies(status(prevLeader, prevTerm), status(nextLeader, nextTerm), members))
                .isEqualTo(expected);
    }

    @Test
    void holdsForTheRestOfASecondThenPublishes() {
        assertThat(LeaderLossHold.remaining(Duration.ZERO)).contains(Duration.ofSeconds(1));
        assertThat(LeaderLossHold.remaining(Duration.ofMillis(300))).contains(Duration.ofMillis(700));
        assertThat(LeaderLossHold.remaining(Duration.ofMillis(1000))).isEqualTo(Optional.empty());
        assertThat(LeaderLossHold.remaining(Duration.ofMinutes(5))).isEqualTo(Optional.empty());
    }

    /**
     * A status: ec-0 leads (when named), ec-1 follows it, ec-2 does not answer. A leader named with a trailing "!":
     * its pod is not ready.
     */
    private static ElectionClusterStatus status(String leader, Long term) {
        ElectionClusterStatus s = new ElectionClusterStatus();
        boolean notReady = leader != null && leader.endsWith("!");
        s.leader = notReady ? leader.substring(0, leader.length() - 1) : leader;
        s.term = term;
        s.members.add(row("ec-0", "leader", true));
        s.members.get(0).ready = !notReady;
        s.members.add(row("ec-1", "follower", true));
        s.members.add(row("ec-2", null, false));
        return s;
    }

    private static dev.ballot.operator.api.MemberStatus row(String name, String role, boolean reachable) {
        dev.ballot.operator.api.MemberStatus m = new dev.ballot.operator.api.MemberStatus();
        m.name = name;
        m.role = role;
        m.voter = true;
        m.reachable = reachable;
        return m;
    }

    private static ReportedStatus report(String self, String role, String leader) {
        return ReportedStatus.of(new dev.ballot.nodeapi.StatusReport("ec", self, 1, "raft", role, 3L, leader,
                null, null, null, 1L, 1L, 1L, null, null, 5L, "v", null, null, null, null, null, null, null, null,
                java.util.List.of()));
    }
}
