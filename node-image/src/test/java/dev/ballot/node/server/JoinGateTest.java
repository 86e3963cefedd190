package dev.ballot.node.server;

import dev.ballot.engine.MemberKind;
import dev.ballot.node.config.ConfigException;
import dev.ballot.node.server.JoinGate.InitialClusterState;
import dev.ballot.node.server.JoinGate.PeersSay;
import dev.ballot.node.server.JoinGate.Verdict;
import dev.ballot.nodeapi.NodeJson;
import dev.ballot.nodeapi.StatusReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JoinGateTest {
    @ParameterizedTest(name = "fresh={0} kind={1} state={2} peers={3} -> {4}")
    @CsvSource({
            // storage that holds state always starts
            "false, VOTER,    EXISTING, NOT_ASKED,       START",
            "false, VOTER,    NEW,      NOT_ASKED,       START",
            // a fresh learner/observer is how a replacement joins
            "true,  LEARNER,  EXISTING, NOT_ASKED,       START",
            "true,  OBSERVER, EXISTING, NOT_ASKED,       START",
            // a fresh voter of a bootstrapped cluster lost its volume
            "true,  VOTER,    EXISTING, NOT_ASKED,       NEEDS_REPLACEMENT",
            "true,  VOTER,    NEW,      JOINED,          NEEDS_REPLACEMENT",
            // a fresh voter of a new cluster bootstraps
            "true,  VOTER,    NEW,      NEVER_JOINED,    START",
            "true,  VOTER,    NEW,      NOBODY_ANSWERED, START",
    })
    void decides(boolean fresh, MemberKind kind, InitialClusterState state, PeersSay peers, Verdict expected) {
        JoinGate.Decision d = JoinGate.decide(fresh, kind, state, peers);
        assertThat(d.verdict()).isEqualTo(expected);
        assertThat(d.reason()).isNotBlank();
    }

    @Test
    void parsesTheEnvironmentAndNamesTheVariableOnBadInput() throws Exception {
        assertThat(JoinGate.parse(Map.of())).isEqualTo(InitialClusterState.NEW);
        assertThat(JoinGate.parse(Map.of(JoinGate.ENV, "Existing"))).isEqualTo(InitialClusterState.EXISTING);
        assertThat(JoinGate.parse(Map.of(JoinGate.ENV, "new"))).isEqualTo(InitialClusterState.NEW);
        assertThatThrownBy(() -> JoinGate.parse(Map.of(JoinGate.ENV, "old")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(JoinGate.ENV).hasMessageContaining("existing");
    }

    @Test
    void readsWhatAPeerSaysAboutThisMember() throws Exception {
        assertThat(JoinGate.saysJoined(peer("{\"joinedMembers\": [\"node-1\", \"node-2\"]}"), "node-2")).isEqualTo(PeersSay.JOINED);
        assertThat(JoinGate.saysJoined(peer("{\"joinedMembers\": [\"node-1\"]}"), "node-2")).isEqualTo(PeersSay.NEVER_JOINED);
        assertThat(JoinGate.saysJoined(peer("{\"joinedMembers\": null}"), "node-2")).isEqualTo(PeersSay.NOBODY_ANSWERED);
        assertThat(JoinGate.saysJoined(peer("{\"nodeId\": \"node-1\"}"), "node-2")).isEqualTo(PeersSay.NOBODY_ANSWERED);
        // A running member that has not learned the cluster's identity yet: a new cluster, as far as it knows.
        assertThat(JoinGate.saysJoined(peer("{\"role\": \"follower\", \"needsReplacement\": false}"), "node-2"))
                .isEqualTo(PeersSay.NEVER_JOINED);
        // One that needs replacing itself knows nothing.
        assertThat(JoinGate.saysJoined(peer("{\"role\": \"needsReplacement\", \"needsReplacement\": true}"), "node-2"))
                .isEqualTo(PeersSay.NOBODY_ANSWERED);
    }

    /** A peer's status as it arrives on the wire. */
    private static StatusReport peer(String json) throws Exception {
        return NodeJson.MAPPER.readValue(json, StatusReport.class);
    }
}
