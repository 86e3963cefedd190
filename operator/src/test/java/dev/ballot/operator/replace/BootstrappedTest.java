package dev.ballot.operator.replace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.members.MemberObservation;
import dev.ballot.operator.members.ReportedStatus;
import dev.ballot.operator.members.ReportedStatus.ReportedMember;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrappedTest {
    private static final List<ReportedMember> THREE = List.of(voter("c-0"), voter("c-1"), voter("c-2"),
            new ReportedMember("c-3", "c-3:2380", "learner", null, null, false));

    @Test
    void theLeaderReportingTheUuidAndEveryVoterJoinedMeansBootstrapped() {
        assertThat(Bootstrapped.of(null, List.of(leader("uuid-1", List.of("c-0", "c-1", "c-2"))))).isTrue();
    }

    @Test
    void aVoterNotYetJoinedOrNoUuidMeansNotYet() {
        assertThat(Bootstrapped.of(null, List.of(leader("uuid-1", List.of("c-0", "c-1"))))).isFalse();
        assertThat(Bootstrapped.of(null, List.of(leader(null, null)))).isFalse();
        assertThat(Bootstrapped.of(null, List.of(MemberObservation.unreachable("c-0", "refused")))).isFalse();
    }

    @Test
    void aFollowersReportDoesNotCount() {
        ReportedStatus follower = new ReportedStatus("c", "c-1", "raft", "follower", 2L, "c-0", null, null, 5L, 5L, 5L,
                0L, "v", THREE, "uuid-1", List.of("c-0", "c-1", "c-2"), false);
        assertThat(Bootstrapped.of(null, List.of(MemberObservation.reachable("c-1", follower)))).isFalse();
    }

    @Test
    void withoutAnIdentityEveryVoterReportingALogMeansBootstrapped() {
        List<MemberObservation> all = List.of(leader(null, null), report("c-1", 5L), report("c-2", 3L));
        assertThat(Bootstrapped.of(null, all)).isTrue();
        assertThat(Bootstrapped.of(null, List.of(leader(null, null), report("c-1", 5L), report("c-2", 0L))))
                .as("c-2 has no log yet").isFalse();
        assertThat(Bootstrapped.of(null, List.of(leader(null, null), report("c-1", 5L))))
                .as("c-2 has not answered").isFalse();
    }

    @Test
    void onceRecordedItStaysWhateverTheMembersSay() {
        assertThat(Bootstrapped.of("existing", List.of())).isTrue();
        assertThat(Bootstrapped.of("new", List.of())).isFalse();
    }

    private static MemberObservation leader(String uuid, List<String> joined) {
        return MemberObservation.reachable("c-0", new ReportedStatus("c", "c-0", "raft", "leader", 2L, "c-0", null,
                null, 5L, 5L, 5L, 0L, "v", THREE, uuid, joined, false));
    }

    private static MemberObservation report(String name, long lastIndex) {
        return MemberObservation.reachable(name, new ReportedStatus("c", name, "raft", "follower", 2L, "c-0", null,
                null, lastIndex, lastIndex, lastIndex, 0L, "v", THREE));
    }

    private static ReportedMember voter(String name) {
        return new ReportedMember(name, name + ":2380", "voter", 5L, 0L, name.equals("c-0"));
    }
}
