package dev.ballot.node.server;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MemberDirectoryTest {
    @ParameterizedTest
    @CsvSource({
            "3, 192.168.1.3:2380, node-3",
            "1, ec-raft-0.ec-raft-peers.default.svc:2380, ec-raft-0",
            "2, plainhost:2380, plainhost",
            "4, '[::1]:2380', node-4",
            "5, 10.0.0.5:2888:3888, node-5",
    })
    void namesFollowTheConventions(long id, String address, String expected) {
        assertThat(MemberDirectory.nameFor(id, address)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"node-3, 3", "ec-raft-0, 1", "my-cluster-4, 5"})
    void idsOfNewNamesFollowTheConventions(String name, long id) {
        assertThat(MemberDirectory.idForNewName(name)).hasValue(id);
    }

    @Test
    void namesWithoutAnOrdinalHaveNoDerivedId() {
        assertThat(MemberDirectory.idForNewName("nodeless")).isEmpty();
        assertThat(MemberDirectory.idForNewName("trailing-")).isEmpty();
    }

    @Test
    void learnsMembersAddedAtRunTimeWithTheClientPortOfThisCluster() {
        MemberDirectory dir = new MemberDirectory(List.of(new MemberDirectory.Entry(1, "a-0", "a-0.peers:2380", "a-0.peers:2379")), 2379);
        dir.learn(Membership.of(List.of(new Member(1, MemberKind.VOTER, "a-0.peers:2380"),
                new Member(2, MemberKind.LEARNER, "a-1.peers:2380"))));
        assertThat(dir.name(2)).isEqualTo("a-1");
        assertThat(dir.clientAddress(2)).hasValue("a-1.peers:2379");
        assertThat(dir.idOf("a-1")).hasValue(2L);
        assertThat(dir.idOf("a-9")).isEmpty();
    }
}
