package dev.ballot.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which transitions are worth an Event, and which of those may go out beside the status instead of before it. */
class StatusEventsTest {
    private static final StatusEvents.Now HEALTHY = new StatusEvents.Now(1, List.of(), null, null, false, false,
            "QuorumHealthy", null, "3/3 voters healthy", Set.of());

    @Test
    void aMemberThatStopsAnsweringIsAWarningAndOneThatAnswersAgainIsNormalBothBesideTheStatus() {
        List<EventToPublish> lost = events(status(member("ec-2", true)), status(member("ec-2", false)));
        assertThat(lost).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberUnreachable");
            assertThat(e.warning()).isTrue();
            assertThat(e.news()).as("it repeats status.members[]: it must not hold the status of a failover").isTrue();
        });
        List<EventToPublish> back = events(status(member("ec-2", false)), status(member("ec-2", true)));
        assertThat(back).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberReachable");
            assertThat(e.news()).isTrue();
        });
        assertThat(events(status(member("ec-2", true)), status(member("ec-2", true)))).as("no transition").isEmpty();
    }

    @Test
    void membersOfAClusterBeingCreatedOrNewToTheStatusAreStartingNotUnreachable() {
        ElectionClusterStatus creating = bootstrapping(status(member("ec-0", false), member("ec-1", false)));
        assertThat(events(creating, status(member("ec-0", false), member("ec-1", true))))
                .as("before the quorum first formed: neither unreachable nor answering again").isEmpty();
        assertThat(events(bootstrapping(status()), status(member("ec-0", false))))
                .as("a member row that appears during creation").isEmpty();
        assertThat(events(status(member("ec-0", true)), status(member("ec-0", true), member("ec-3", false))))
                .as("a member added by a scale-up, its pod starting").isEmpty();
        assertThat(StatusEvents.stillTrue(bootstrapping(status(member("ec-0", false)))))
                .as("a new operator process taking over a cluster being created").isEmpty();
    }

    @Test
    void aMemberThatStopsAnsweringWhileItsPodRestartsIsNotAWarning() {
        StatusEvents.Now restarting = new StatusEvents.Now(1, List.of(), null, null, false, false, "QuorumHealthy",
                null, "2/3 voters healthy", Set.of("ec-2"));
        List<EventToPublish> events = new ArrayList<>();
        StatusEvents.onTransitions(status(member("ec-2", true)), status(member("ec-2", false)), restarting, events);
        assertThat(events).as("its pod is terminating or not Ready: a rollout, a restart, a crash the kubelet saw")
                .isEmpty();
        StatusEvents.onTransitions(status(member("ec-1", true)), status(member("ec-1", false)), restarting, events);
        assertThat(events).extracting(EventToPublish::reason).as("another member, its pod serving")
                .containsExactly("MemberUnreachable");
    }

    @Test
    void aNewLeaderIsNews() {
        ElectionClusterStatus prev = new ElectionClusterStatus();
        prev.leader = "ec-0";
        prev.term = 3L;
        ElectionClusterStatus now = new ElectionClusterStatus();
        List<EventToPublish> events = new ArrayList<>();
        MemberRows.recordLeader(prev, now, new MemberRows.Leader("ec-1", 4L, null), java.time.Instant.EPOCH, events);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("LeaderElected");
            assertThat(e.message()).isEqualTo("ec-1 leads in term 4");
            assertThat(e.news()).isTrue();
        });
    }

    @Test
    void aNewDegradedReasonIsAWarningBesideTheStatusButACallToActIsSentBeforeIt() {
        StatusEvents.Now degraded = new StatusEvents.Now(1, List.of(), null, null, false, true, "NoFaultTolerance",
                "2/3 voters healthy", "2/3 voters healthy", Set.of());
        List<EventToPublish> events = new ArrayList<>();
        StatusEvents.onTransitions(status(), status(), degraded, events);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("NoFaultTolerance");
            assertThat(e.warning()).isTrue();
            assertThat(e.news()).isTrue();
        });
        StatusEvents.Now stalled = new StatusEvents.Now(1, List.of(), "RolloutBlocked", "raft-3-1 is not caught up",
                false, false, "QuorumHealthy", null, "3/3 voters healthy", Set.of());
        events.clear();
        StatusEvents.onTransitions(status(), status(), stalled, events);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("RolloutBlocked");
            assertThat(e.news()).as("a stall asks a human to act: announced before the status records it").isFalse();
        });
    }

    @Test
    void theWarningsAStoredStatusRecordsAreAnnouncedAgainByANewOperatorProcess() {
        ElectionClusterStatus stored = status(member("ec-0", true), member("ec-1", false), member("ec-2", false));
        stored.conditions = List.of(StatusConditions.condition(StatusConditions.DEGRADED, true, 1L, "QuorumLost",
                "1/3 voters healthy"));
        assertThat(StatusEvents.stillTrue(stored)).extracting(EventToPublish::reason, EventToPublish::message,
                EventToPublish::warning, EventToPublish::news).containsExactly(
                org.assertj.core.groups.Tuple.tuple("QuorumLost", "1/3 voters healthy", true, true),
                org.assertj.core.groups.Tuple.tuple("MemberUnreachable", "ec-1 unreachable: connection refused", true,
                        true),
                org.assertj.core.groups.Tuple.tuple("MemberUnreachable", "ec-2 unreachable: connection refused", true,
                        true));
        ElectionClusterStatus healthy = status(member("ec-0", true));
        healthy.conditions = List.of(StatusConditions.condition(StatusConditions.DEGRADED, false, 1L, "QuorumHealthy",
                "3/3"));
        assertThat(StatusEvents.stillTrue(healthy)).as("nothing to announce").isEmpty();
        assertThat(StatusEvents.stillTrue(null)).as("a new cluster").isEmpty();
    }

    private static List<EventToPublish> events(ElectionClusterStatus prev, ElectionClusterStatus now) {
        List<EventToPublish> events = new ArrayList<>();
        StatusEvents.onTransitions(prev, now, HEALTHY, events);
        return events;
    }

    /** A status of a cluster whose quorum has been available (as the operator writes it then). */
    private static ElectionClusterStatus status(MemberStatus... members) {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.members = List.of(members);
        s.observedGeneration = 1L;
        s.conditions = List.of(StatusConditions.condition(StatusConditions.DEGRADED, false, 1L, "QuorumHealthy", "3/3"));
        return s;
    }

    private static ElectionClusterStatus bootstrapping(ElectionClusterStatus s) {
        s.conditions = List.of(StatusConditions.condition(StatusConditions.DEGRADED, false, 1L, "Bootstrapping",
                "the first quorum is forming"));
        return s;
    }

    private static MemberStatus member(String name, boolean reachable) {
        MemberStatus m = new MemberStatus();
        m.name = name;
        m.reachable = reachable;
        m.role = reachable ? "follower" : null;
        m.message = reachable ? null : "unreachable: connection refused";
        return m;
    }
}
