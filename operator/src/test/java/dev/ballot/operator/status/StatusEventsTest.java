package dev.ballot.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterStatus;
import dev.ballot.operator.api.MemberStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which transitions are worth an Event, and which of those may go out beside the status instead of before it. */
class StatusEventsTest {
    private static final StatusEvents.Now HEALTHY = new StatusEvents.Now(1, List.of(), null, null, false, false,
            "QuorumHealthy", null, "3/3 voters healthy");

    @Test
    void aMemberThatStopsAnsweringIsAWarningSentBeforeTheStatusAndOneThatAnswersAgainIsNews() {
        List<EventToPublish> lost = events(status(member("ec-2", true)), status(member("ec-2", false)));
        assertThat(lost).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberUnreachable");
            assertThat(e.warning()).isTrue();
            assertThat(e.news()).as("a Warning is never only news: a killed operator must announce it again").isFalse();
        });
        List<EventToPublish> back = events(status(member("ec-2", false)), status(member("ec-2", true)));
        assertThat(back).singleElement().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("MemberReachable");
            assertThat(e.news()).isTrue();
        });
        assertThat(events(status(member("ec-2", true)), status(member("ec-2", true)))).as("no transition").isEmpty();
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

    private static List<EventToPublish> events(ElectionClusterStatus prev, ElectionClusterStatus now) {
        List<EventToPublish> events = new ArrayList<>();
        StatusEvents.onTransitions(prev, now, HEALTHY, events);
        return events;
    }

    private static ElectionClusterStatus status(MemberStatus... members) {
        ElectionClusterStatus s = new ElectionClusterStatus();
        s.members = List.of(members);
        s.observedGeneration = 1L;
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
