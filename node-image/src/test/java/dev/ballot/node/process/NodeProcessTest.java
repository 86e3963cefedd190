package dev.ballot.node.process;

import dev.ballot.engine.Member;
import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Membership;
import dev.ballot.node.config.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class NodeProcessTest {
    @Test
    void dialsEachOtherMemberOnItsFirstPort() {
        Membership m = Membership.of(List.of(new Member(1, MemberKind.VOTER, "10.0.0.1:2888:3888"),
                new Member(2, MemberKind.VOTER, "10.0.0.2:2888:3888"), new Member(3, MemberKind.VOTER, "host-3:2380"),
                new Member(4, MemberKind.OBSERVER, "")));
        Map<Long, HostPort> peers = NodeProcess.peers(m, 1);
        assertThat(peers).containsOnlyKeys(2L, 3L);
        assertThat(peers.get(2L)).isEqualTo(new HostPort("10.0.0.2", 2888));
        assertThat(peers.get(3L)).isEqualTo(new HostPort("host-3", 2380));
        assertThat(Optional.ofNullable(peers.get(4L))).isEmpty();
    }
}
