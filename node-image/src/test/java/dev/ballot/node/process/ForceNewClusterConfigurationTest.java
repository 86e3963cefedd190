package dev.ballot.node.process;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration a force-new-cluster rebuild starts with: the kept member as the only voter, non-voters kept. */
class ForceNewClusterConfigurationTest {
    private static Member m(long id, MemberKind kind) {
        return new Member(id, kind, "h" + id + ":2888:3888");
    }

    private record Row(String name, Membership kept, long self, Membership rebuilt) {
    }

    @Test
    void theKeptMemberAloneVotesAndEveryLearnerOrObserverStays() {
        Membership self5 = Membership.of(List.of(new Member(5, MemberKind.VOTER, "me:2888:3888")));
        List<Row> table = List.of(
                new Row("five voters and an observer (zab-5-observer)", Membership.of(List.of(m(1, MemberKind.VOTER),
                        m(2, MemberKind.VOTER), m(3, MemberKind.VOTER), m(4, MemberKind.VOTER), m(5, MemberKind.VOTER),
                        m(6, MemberKind.OBSERVER))), 5, self5.with(m(6, MemberKind.OBSERVER))),
                new Row("three voters", Membership.voters(1, 3, 5), 5, self5),
                new Row("a Raft learner and a member being replaced (already a learner)", Membership.of(List.of(
                        m(1, MemberKind.LEARNER), m(2, MemberKind.VOTER), m(5, MemberKind.VOTER), m(4, MemberKind.LEARNER))),
                        5, self5.with(m(1, MemberKind.LEARNER)).with(m(4, MemberKind.LEARNER))),
                // the kept member's own old entry (its old address) is replaced by its current one
                new Row("the kept member was itself an observer once", Membership.of(List.of(m(5, MemberKind.OBSERVER),
                        m(1, MemberKind.VOTER))), 5, self5));
        for (Row row : table) {
            assertThat(ForceNewCluster.rebuiltConfiguration(row.kept(), row.self(), "me:2888:3888")).as(row.name())
                    .isEqualTo(row.rebuilt());
        }
    }
}
