package dev.ballot.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ballot.engine.MemberKind;
import dev.ballot.engine.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {
    @TempDir
    Path tmp;

    static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/config/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    static ConfigException fails(String text, Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("ballot.conf", text, env));
        assertThat(e).as("expected a ConfigException for:\n" + text).isNotNull();
        return e;
    }

    @Test
    void seedRaftYamlParsesVerbatim() throws Exception {
        Path file = write("ballot.yaml", resource("seed/raft.yaml"));
        NodeConfig c = ConfigLoader.load(file, Map.of());
        assertThat(c.protocol()).isEqualTo(Protocol.RAFT);
        assertThat(c.clusterId()).isEqualTo("my-data-cluster-1");
        assertThat(c.nodeId()).isEqualTo(3);
        assertThat(c.nodeName()).isEqualTo("node-3");
        assertThat(c.members()).extracting(PeerSpec::id).containsExactly(1L, 2L, 3L);
        assertThat(c.members()).extracting(PeerSpec::name).containsExactly("node-1", "node-2", "node-3");
        assertThat(c.members()).extracting(PeerSpec::kind).containsOnly(MemberKind.VOTER);
        assertThat(c.members().get(0).peerAddress()).isEqualTo(new HostPort("192.168.1.1", 2380));
        assertThat(c.members().get(0).electionAddress()).isNull();
        assertThat(c.members().get(0).clientAddress()).isEqualTo(new HostPort("192.168.1.1", 8080));
        assertThat(c.peerListen()).isEqualTo(new HostPort("192.168.1.3", 2380));
        assertThat(c.electionListen()).isNull();
        assertThat(c.clientListen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.zab()).isNull();
        assertThat(c.raft()).isEqualTo(new RaftTiming(Duration.ofMillis(150), Duration.ofMillis(300), Duration.ofMillis(50)));
        assertThat(c.raft().electionTicksMin(NodeConfig.TICK)).isEqualTo(15);
        assertThat(c.raft().electionTicksMax(NodeConfig.TICK)).isEqualTo(30);
        assertThat(c.raft().heartbeatTicks(NodeConfig.TICK)).isEqualTo(5);
        assertThat(c.peers()).extracting(PeerSpec::id).containsExactly(1L, 2L);
        assertThat(c.initialMembership().voterIds()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void seedZooKeeperFileParsesVerbatimWithNodeIdFromEnvironment() throws Exception {
        Path file = write("zoo.cfg", resource("seed/zoo.cfg"));
        NodeConfig c = ConfigLoader.load(file, Map.of("BALLOT_NODE_ID", "node-3"));
        assertThat(c.protocol()).isEqualTo(Protocol.ZAB);
        assertThat(c.clusterId()).isEqualTo("default");
        assertThat(c.nodeId()).isEqualTo(3);
        assertThat(c.members()).extracting(PeerSpec::name).containsExactly("node-1", "node-2", "node-3");
        assertThat(c.members().get(1).peerAddress()).isEqualTo(new HostPort("192.168.1.2", 2888));
        assertThat(c.members().get(1).electionAddress()).isEqualTo(new HostPort("192.168.1.2", 3888));
        assertThat(c.members().get(1).clientAddress()).isEqualTo(new HostPort("192.168.1.2", 8080));
        assertThat(c.peerListen()).isEqualTo(new HostPort("192.168.1.3", 2888));
        assertThat(c.electionListen()).isEqualTo(new HostPort("192.168.1.3", 3888));
        assertThat(c.clientListen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(c.raft()).isNull();
        assertThat(c.zab()).isEqualTo(new ZabTiming(Duration.ofMillis(2000), 10, 5));
        assertThat(c.zab().initTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.zab().ticksPerZabTick(NodeConfig.TICK)).isEqualTo(200);
    }

    @Test
    void seedZooKeeperFileFindsItselfByMyidInTheDataDir() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("myid"), "2\n");
        NodeConfig c = ConfigLoader.parse("zoo.cfg", resource("seed/zoo.cfg"), Map.of("BALLOT_DATA_DIR", data.toString()));
        assertThat(c.nodeId()).isEqualTo(2);
        assertThat(c.dataDir()).isEqualTo(data);
    }

    @Test
    void seedZooKeeperFileWithoutIdentityExplainsHowToGiveOne() throws Exception {
        ConfigException e = fails(resource("seed/zoo.cfg"), Map.of());
        assertThat(e.key()).isEqualTo("nodeId");
        assertThat(e.getMessage()).contains("cannot tell which server this node is")
                .contains("BALLOT_NODE_ID").contains("node-1 (server.1)").contains("myid");
    }

    @Test
    void kubernetesPodEnvironmentOverridesTheRaftFile() throws Exception {
        String yaml = """
                raft:
                  cluster_id: "ec-raft"
                  listen_address: "0.0.0.0:2380"
                  peers:
                    - "ec-raft-0.ec-raft-peers.default.svc:2380"
                    - "ec-raft-1.ec-raft-peers.default.svc:2380"
                    - "ec-raft-2.ec-raft-peers.default.svc:2380"
                """;
        NodeConfig c = ConfigLoader.parse("ballot.yaml", yaml, Map.of(
                "BALLOT_NODE_ID", "ec-raft-1",
                "BALLOT_LISTEN_ADDRESS", "10.1.0.7:2380",
                "BALLOT_CLIENT_ADDRESS", "10.1.0.7:2379",
                "BALLOT_DATA_DIR", "/var/lib/ballot",
                "HOME", "/root"));
        assertThat(c.nodeId()).isEqualTo(2);
        assertThat(c.nodeName()).isEqualTo("ec-raft-1");
        assertThat(c.peerListen()).isEqualTo(new HostPort("10.1.0.7", 2380));
        assertThat(c.clientListen()).isEqualTo(new HostPort("10.1.0.7", 2379));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/ballot"));
        assertThat(c.members().get(0).clientAddress()).isEqualTo(new HostPort("ec-raft-0.ec-raft-peers.default.svc", 2379));
        assertThat(c.raft()).isEqualTo(RaftTiming.DEFAULTS);
    }

    @Test
    void peersAndTimingsComeFromTheEnvironment() throws Exception {
        NodeConfig c = ConfigLoader.parse("ballot.yaml", resource("seed/raft.yaml"), Map.of(
                "BALLOT_PEERS", "127.0.0.1:12380, 127.0.0.1:12381,127.0.0.1:12382",
                "BALLOT_NODE_ID", "node-2",
                "BALLOT_LISTEN_ADDRESS", "127.0.0.1:12381",
                "BALLOT_CLIENT_ADDRESS", "127.0.0.1:12479",
                "BALLOT_ELECTION_TIMEOUT_MIN", "1s",
                "BALLOT_ELECTION_TIMEOUT_MAX", "1.5s",
                "BALLOT_HEARTBEAT_INTERVAL", "100ms"));
        assertThat(c.members()).extracting(m -> m.peerAddress().toString())
                .containsExactly("127.0.0.1:12380", "127.0.0.1:12381", "127.0.0.1:12382");
        assertThat(c.nodeId()).isEqualTo(2);
        assertThat(c.members().get(2).clientAddress()).isEqualTo(new HostPort("127.0.0.1", 12479));
        assertThat(c.raft()).isEqualTo(new RaftTiming(Duration.ofSeconds(1), Duration.ofMillis(1500), Duration.ofMillis(100)));
    }

    @Test
    void raftNodeFindsItselfByListenAddressWithoutNodeId() throws Exception {
        String yaml = resource("seed/raft.yaml").replace("  node_id: \"node-3\"\n", "");
        NodeConfig c = ConfigLoader.parse("ballot.yaml", yaml, Map.of("BALLOT_LISTEN_ADDRESS", "192.168.1.2:2380"));
        assertThat(c.nodeId()).isEqualTo(2);
        NodeConfig byAdvertise = ConfigLoader.parse("ballot.yaml", yaml + "  advertise_address: \"192.168.1.1:2380\"\n",
                Map.of("BALLOT_LISTEN_ADDRESS", "0.0.0.0:2380"));
        assertThat(byAdvertise.nodeId()).isEqualTo(1);
    }

    @Test
    void localhostPeersAreNamedByPosition() throws Exception {
        NodeConfig c = ConfigLoader.parse("ballot.yaml", """
                raft:
                  cluster_id: demo
                  node_id: node-1
                  listen_address: localhost:7001
                  client_address: localhost:8001
                  peers: ["localhost:7001", "localhost:7002"]
                """, Map.of());
        assertThat(c.members()).extracting(PeerSpec::name).containsExactly("node-1", "node-2");
    }

    @Test
    void clientLimitsDefaultToEtcdsAndComeFromTheFileOrTheEnvironment() throws Exception {
        String yaml = """
                raft:
                  cluster_id: demo
                  node_id: node-1
                  listen_address: localhost:7001
                  client_address: localhost:8001
                  peers: ["localhost:7001"]
                """;
        assertThat(ConfigLoader.parse("ballot.yaml", yaml, Map.of()).limits()).isEqualTo(ClientLimits.defaults());
        assertThat(ClientLimits.defaults().maxRequestBytes()).isEqualTo(1_572_864);
        assertThat(ClientLimits.defaults().maxValueBytes()).isEqualTo(1_048_576);
        NodeConfig c = ConfigLoader.parse("ballot.yaml", yaml + """
                  max_request_bytes: "4MiB"
                  max_value_bytes: 3145728
                  client_request_timeout: "3s"
                """, Map.of("BALLOT_MAX_EVENT_SUBSCRIBERS", "0", "BALLOT_MAX_KEY_BYTES", "2KiB",
                "BALLOT_MAX_CLIENT_CONNECTIONS", "50"));
        assertThat(c.limits()).isEqualTo(new ClientLimits(4 << 20, 2048, 3 << 20, 50, 0, java.time.Duration.ofSeconds(3)));

        ConfigException tooBig = fails(yaml + "  max_value_bytes: 2MiB\n", Map.of());
        assertThat(tooBig.key()).isEqualTo("raft.max_value_bytes");
        assertThat(tooBig.getMessage()).contains("more than max_request_bytes (1572864)").contains("raise max_request_bytes");
        ConfigException notASize = fails(yaml, Map.of("BALLOT_MAX_REQUEST_BYTES", "lots"));
        assertThat(notASize.getMessage()).contains("BALLOT_MAX_REQUEST_BYTES").contains("'lots' is not a count or size");
        ConfigException shortTimeout = fails(yaml + "  client_request_timeout: 500ms\n", Map.of());
        assertThat(shortTimeout.getMessage()).contains("is under 1s");
    }

    @Test
    void raftLearnersAreNumberedAfterThePeersAndALearnerFindsItself() throws Exception {
        String yaml = """
                raft:
                  cluster_id: demo
                  listen_address: "127.0.0.4:2380"
                  client_address: "127.0.0.4:2379"
                  peers: ["127.0.0.1:2380", "127.0.0.2:2380", "127.0.0.3:2380"]
                  learners:
                    - "127.0.0.4:2380"
                """;
        NodeConfig c = ConfigLoader.parse("ballot.yaml", yaml, Map.of());
        assertThat(c.members()).extracting(PeerSpec::id).containsExactly(1L, 2L, 3L, 4L);
        assertThat(c.members()).extracting(PeerSpec::name).containsExactly("node-1", "node-2", "node-3", "node-4");
        assertThat(c.members()).extracting(PeerSpec::kind)
                .containsExactly(MemberKind.VOTER, MemberKind.VOTER, MemberKind.VOTER, MemberKind.LEARNER);
        assertThat(c.nodeId()).isEqualTo(4);
        assertThat(c.self().kind()).isEqualTo(MemberKind.LEARNER);
        assertThat(c.members().get(3).clientAddress()).isEqualTo(new HostPort("127.0.0.4", 2379));
        assertThat(c.initialMembership().voterIds()).containsExactly(1L, 2L, 3L);
        assertThat(c.initialMembership().member(4).orElseThrow().kind()).isEqualTo(MemberKind.LEARNER);

        NodeConfig voter = ConfigLoader.parse("ballot.yaml", yaml, Map.of("BALLOT_NODE_ID", "node-2",
                "BALLOT_LISTEN_ADDRESS", "127.0.0.2:2380", "BALLOT_CLIENT_ADDRESS", "127.0.0.2:2379"));
        assertThat(voter.nodeId()).isEqualTo(2);
        assertThat(voter.self().kind()).isEqualTo(MemberKind.VOTER);
        assertThat(voter.peers()).extracting(PeerSpec::id).containsExactly(1L, 3L, 4L);
    }

    @Test
    void raftLearnersComeFromTheEnvironmentAndDnsNamesNameThem() throws Exception {
        NodeConfig c = ConfigLoader.parse("ballot.yaml", resource("seed/raft.yaml"), Map.of(
                "BALLOT_PEERS", "ec-raft-0.ec-raft-peers:2380,ec-raft-1.ec-raft-peers:2380,ec-raft-2.ec-raft-peers:2380",
                "BALLOT_LEARNERS", "ec-raft-3.ec-raft-peers:2380, ec-raft-4.ec-raft-peers:2380",
                "BALLOT_NODE_ID", "ec-raft-4",
                "BALLOT_LISTEN_ADDRESS", "0.0.0.0:2380"));
        assertThat(c.members()).extracting(PeerSpec::name)
                .containsExactly("ec-raft-0", "ec-raft-1", "ec-raft-2", "ec-raft-3", "ec-raft-4");
        assertThat(c.members()).extracting(PeerSpec::kind).containsExactly(MemberKind.VOTER, MemberKind.VOTER,
                MemberKind.VOTER, MemberKind.LEARNER, MemberKind.LEARNER);
        assertThat(c.nodeId()).isEqualTo(5);

        NodeConfig none = ConfigLoader.parse("ballot.yaml", resource("seed/raft.yaml"), Map.of("BALLOT_LEARNERS", ""));
        assertThat(none.members()).extracting(PeerSpec::kind).containsOnly(MemberKind.VOTER);
    }

    /** The file the operator writes for replicas 3, learners 1 (ClusterPlanTest), with the learner pod's environment. */
    @Test
    void theOperatorsLearnerFileStartsItsLearnerPod() throws Exception {
        String yaml = """
                # Written by ballot-operator for ElectionCluster default/ec-raft. Per-pod values come from BALLOT_* environment variables.
                raft:
                  cluster_id: "ec-raft"
                  peers:
                    - "ec-raft-0.ec-raft-peers.default.svc:2380"
                    - "ec-raft-1.ec-raft-peers.default.svc:2380"
                    - "ec-raft-2.ec-raft-peers.default.svc:2380"
                  learners:
                    - "ec-raft-3.ec-raft-peers.default.svc:2380"
                  election_timeout_min: "150ms"
                  election_timeout_max: "300ms"
                  heartbeat_interval: "50ms"
                  client_address: "0.0.0.0:2379"
                  data_dir: "/var/lib/ballot"
                """;
        NodeConfig c = ConfigLoader.parse("ballot.yaml", yaml, Map.of(
                "BALLOT_NODE_ID", "ec-raft-3",
                "BALLOT_LISTEN_ADDRESS", "10.1.0.9:2380",
                "BALLOT_CLIENT_ADDRESS", "10.1.0.9:2379",
                "BALLOT_DATA_DIR", "/var/lib/ballot"));
        assertThat(c.nodeId()).isEqualTo(4);
        assertThat(c.nodeName()).isEqualTo("ec-raft-3");
        assertThat(c.self().kind()).isEqualTo(MemberKind.LEARNER);
        assertThat(c.initialMembership().voterIds()).containsExactly(1L, 2L, 3L);
    }

    /** A member being replaced keeps its place (its id) in peers and starts as a learner: the operator's file. */
    @Test
    void aRejoiningLearnerKeepsItsIdAndStartsAsALearner() throws Exception {
        String yaml = """
                raft:
                  cluster_id: "ec-raft"
                  peers:
                    - "ec-raft-0.ec-raft-peers.default.svc:2380"
                    - "ec-raft-1.ec-raft-peers.default.svc:2380"
                    - "ec-raft-2.ec-raft-peers.default.svc:2380"
                  rejoining_learners:
                    - "ec-raft-1"
                """;
        NodeConfig replaced = ConfigLoader.parse("ballot.yaml", yaml, Map.of("BALLOT_NODE_ID", "ec-raft-1",
                "BALLOT_LISTEN_ADDRESS", "10.1.0.9:2380"));
        assertThat(replaced.nodeId()).isEqualTo(2);
        assertThat(replaced.self().kind()).isEqualTo(MemberKind.LEARNER);
        assertThat(replaced.initialMembership().voterIds()).containsExactly(1L, 3L);
        assertThat(replaced.initialMembership().member(2).orElseThrow().kind()).isEqualTo(MemberKind.LEARNER);

        NodeConfig other = ConfigLoader.parse("ballot.yaml", yaml, Map.of("BALLOT_NODE_ID", "ec-raft-2",
                "BALLOT_LISTEN_ADDRESS", "10.1.0.8:2380"));
        assertThat(other.nodeId()).isEqualTo(3);
        assertThat(other.self().kind()).isEqualTo(MemberKind.VOTER);
    }

    @Test
    void aRejoiningLearnerMustNameAPeer() throws Exception {
        String yaml = """
                raft:
                  cluster_id: "ec-raft"
                  peers: ["ec-raft-0.p:2380", "ec-raft-1.p:2380"]
                  rejoining_learners: ["ec-raft-7"]
                """;
        ConfigException e = fails(yaml, Map.of("BALLOT_NODE_ID", "ec-raft-0", "BALLOT_LISTEN_ADDRESS", "10.1.0.9:2380"));
        assertThat(e.key()).isEqualTo("raft.rejoining_learners[0]");
        assertThat(e.getMessage()).contains("'ec-raft-7' names no member (peers: ec-raft-0, ec-raft-1)");

        ConfigException all = fails(yaml.replace("ec-raft-7", "ec-raft-0\", \"ec-raft-1"),
                Map.of("BALLOT_NODE_ID", "ec-raft-0", "BALLOT_LISTEN_ADDRESS", "10.1.0.9:2380"));
        assertThat(all.getMessage()).contains("it names every peer");
    }

    @Test
    void aLearnerAlsoListedAsAPeerInTheEnvironmentIsRefused() throws Exception {
        ConfigException e = fails(resource("seed/raft.yaml"), Map.of("BALLOT_LEARNERS", "192.168.1.2:2380"));
        assertThat(e.key()).isEqualTo("raft.learners[0]");
        assertThat(e.getMessage()).startsWith("environment variable BALLOT_LEARNERS, key 'raft.learners[0]': "
                + "'192.168.1.2:2380' is listed twice (also peers[1])");
        assertThat(e.fix()).contains("in peers (voters) or in learners, not both");
    }

    @Test
    void zooKeeperFileWithObserversBindHostAndEnvironmentServers() throws Exception {
        String cfg = """
                # a Ballot ZAB cluster
                tickTime=100
                initLimit=10
                syncLimit=5
                clusterId=ec-zab
                clientPort=2181
                dataDir=/var/lib/ballot
                server.1=ec-zab-0.ec-zab-peers.ns.svc:2888:3888
                server.2=ec-zab-1.ec-zab-peers.ns.svc:2888:3888:participant
                server.3=ec-zab-2.ec-zab-peers.ns.svc:2888:3888:observer
                """;
        NodeConfig c = ConfigLoader.parse("zoo.cfg", cfg, Map.of(
                "BALLOT_NODE_ID", "ec-zab-3",
                "BALLOT_SERVER_4", "ec-zab-3.ec-zab-peers.ns.svc:2888:3888:observer",
                "BALLOT_BIND_HOST", "10.1.0.9"));
        assertThat(c.clusterId()).isEqualTo("ec-zab");
        assertThat(c.nodeId()).isEqualTo(4);
        assertThat(c.members()).extracting(PeerSpec::kind)
                .containsExactly(MemberKind.VOTER, MemberKind.VOTER, MemberKind.OBSERVER, MemberKind.OBSERVER);
        assertThat(c.peerListen()).isEqualTo(new HostPort("10.1.0.9", 2888));
        assertThat(c.electionListen()).isEqualTo(new HostPort("10.1.0.9", 3888));
        assertThat(c.clientListen()).isEqualTo(new HostPort("10.1.0.9", 8080));
        assertThat(c.zookeeper().listen()).isEqualTo(new HostPort("10.1.0.9", 2181));
        assertThat(c.zab().tickTime()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void zooKeeperClientAddressAndCamelCaseEnvironmentSpellings() throws Exception {
        String cfg = resource("seed/zoo.cfg") + "clientAddress=127.0.0.1:12379\n";
        NodeConfig c = ConfigLoader.parse("zoo.cfg", cfg, Map.of("BALLOT_NODEID", "1", "BALLOT_TICK_TIME", "500"));
        assertThat(c.nodeId()).isEqualTo(1);
        assertThat(c.clientListen()).isEqualTo(new HostPort("127.0.0.1", 12379));
        assertThat(c.zab().tickTime()).isEqualTo(Duration.ofMillis(500));
    }

    static Stream<Arguments> badRaftFiles() {
        String ok = """
                raft:
                  cluster_id: "c1"
                  node_id: "node-1"
                  listen_address: "127.0.0.1:2380"
                  peers:
                    - "127.0.0.1:2380"
                    - "127.0.0.2:2380"
                    - "127.0.0.3:2380"
                  election_timeout_min: "150ms"
                  election_timeout_max: "300ms"
                  heartbeat_interval: "50ms"
                """;
        return Stream.of(
                Arguments.of("unknown key with suggestion", ok.replace("election_timeout_max:", "election_timeout_maxx:"),
                        "raft.election_timeout_maxx", 10, "unknown key", "did you mean 'election_timeout_max'?"),
                Arguments.of("min not below max", ok.replace("\"300ms\"", "\"150ms\""),
                        "raft.election_timeout_min", 9, "election_timeout_min (150ms) is not below election_timeout_max (150ms)",
                        "make election_timeout_min smaller"),
                Arguments.of("heartbeat too close to the timeout", ok.replace("\"50ms\"", "\"100ms\""),
                        "raft.heartbeat_interval", 11, "is not well below election_timeout_min", "at most a third"),
                Arguments.of("duration without unit", ok.replace("\"150ms\"", "150"),
                        "raft.election_timeout_min", 9, "'150' has no unit", "\"150ms\""),
                Arguments.of("duration that is not one", ok.replace("\"300ms\"", "\"fast\""),
                        "raft.election_timeout_max", 10, "'fast' is not a duration", "(ns, us, ms, s, m, h)"),
                Arguments.of("negative duration", ok.replace("\"50ms\"", "\"-50ms\""),
                        "raft.heartbeat_interval", 11, "is negative", "positive duration"),
                Arguments.of("heartbeat below one tick", ok.replace("\"50ms\"", "\"5ms\""),
                        "raft.heartbeat_interval", 11, "shorter than the node's 10ms tick", "at least 10ms"),
                Arguments.of("port out of range", ok.replace("127.0.0.2:2380", "127.0.0.2:70000"),
                        "raft.peers[1]", 7, "has port 70000, outside 1-65535", "host:port"),
                Arguments.of("peer without port", ok.replace("\"127.0.0.3:2380\"", "\"127.0.0.3\""),
                        "raft.peers[2]", 8, "'127.0.0.3' has no port", "host:port"),
                Arguments.of("duplicate peer", ok.replace("127.0.0.3:2380", "127.0.0.2:2380"),
                        "raft.peers[2]", 8, "'127.0.0.2:2380' is listed twice (also peers[1])", "list every member once"),
                Arguments.of("node_id names no peer", ok.replace("\"node-1\"", "\"node-9\""),
                        "raft.node_id", 3, "'node-9' names no member of peers (members: node-1, node-2, node-3)",
                        "set node_id to this node's member name"),
                Arguments.of("node_id and listen_address disagree", ok.replace("listen_address: \"127.0.0.1:2380\"",
                                "listen_address: \"127.0.0.2:2380\""),
                        "raft.listen_address", 4, "is member node-2 but node_id 'node-1' is member node-1", "same member"),
                Arguments.of("self not found", ok.replace("  node_id: \"node-1\"\n", "")
                                .replace("listen_address: \"127.0.0.1:2380\"", "listen_address: \"127.0.0.9:2380\""),
                        "raft.listen_address", 3, "no node_id, and '127.0.0.9:2380' matches no entry of peers",
                        "BALLOT_NODE_ID"),
                Arguments.of("missing cluster_id", ok.replace("  cluster_id: \"c1\"\n", ""),
                        "raft.cluster_id", 1, "missing", "add 'cluster_id"),
                Arguments.of("bad cluster_id", ok.replace("\"c1\"", "\"my cluster!\""),
                        "raft.cluster_id", 2, "'my cluster!' is not a valid cluster id", "letters, digits"),
                Arguments.of("peers not a list", ok.replace("  peers:\n    - \"127.0.0.1:2380\"\n    - \"127.0.0.2:2380\"\n"
                                + "    - \"127.0.0.3:2380\"\n", "  peers: \"127.0.0.1:2380\"\n"),
                        "raft.peers", 5, "not a list", "- \"host:port\""),
                Arguments.of("empty peers", ok.replace("  peers:\n    - \"127.0.0.1:2380\"\n    - \"127.0.0.2:2380\"\n"
                                + "    - \"127.0.0.3:2380\"\n", "  peers: []\n"),
                        "raft.peers", 5, "the list is empty", "list every member"),
                Arguments.of("key set twice", ok + "  node_id: \"node-2\"\n",
                        "raft.node_id", 12, "set twice (first on line 3)", "keep one"),
                Arguments.of("unknown top-level key", ok + "logging: debug\n",
                        "logging", 12, "unknown top-level key", "under 'raft:'"),
                Arguments.of("invalid YAML", ok.replace("  peers:\n", "  peers: [\n"),
                        "", 0, "not valid YAML", "fix the YAML syntax"),
                Arguments.of("client port equals peer port", ok + "  client_address: \"0.0.0.0:2380\"\n",
                        "raft.client_address", 12, "port 2380 is also listen_address's port", "different port"),
                Arguments.of("address with scheme", ok.replace("listen_address: \"127.0.0.1:2380\"",
                                "listen_address: \"http://127.0.0.1:2380\""),
                        "raft.listen_address", 4, "has a scheme", "host:port"),
                Arguments.of("learner that is also a peer", ok + "  learners:\n    - \"127.0.0.4:2380\"\n    - \"127.0.0.3:2380\"\n",
                        "raft.learners[1]", 14, "'127.0.0.3:2380' is listed twice (also peers[2])",
                        "in peers (voters) or in learners, not both"),
                Arguments.of("learner listed twice", ok + "  learners: [\"127.0.0.4:2380\", \"127.0.0.4:2380\"]\n",
                        "raft.learners[1]", 12, "'127.0.0.4:2380' is listed twice (also learners[0])", "list every member once"),
                Arguments.of("learners not a list", ok + "  learners: \"127.0.0.4:2380\"\n",
                        "raft.learners", 12, "not a list", "under 'learners:'"),
                Arguments.of("learner without port", ok + "  learners:\n    - \"127.0.0.4\"\n",
                        "raft.learners[0]", 13, "'127.0.0.4' has no port", "host:port"),
                Arguments.of("learner whose name clashes with a peer", ok.replace("127.0.0.3:2380", "db.east.example:2380")
                                + "  learners: [\"db.west.example:2380\"]\n",
                        "raft.learners[0]", 12, "and peers[2] 'db.east.example:2380' both get the member name 'db'",
                        "first labels differ"),
                Arguments.of("node_id names no peer or learner", ok.replace("\"node-1\"", "\"node-9\"")
                                + "  learners: [\"127.0.0.4:2380\"]\n",
                        "raft.node_id", 3, "'node-9' names no member of peers or learners (members: node-1, node-2, node-3, node-4)",
                        "set node_id"),
                Arguments.of("hostnames whose names clash", ok.replace("127.0.0.2:2380", "db.east.example:2380")
                                .replace("127.0.0.3:2380", "db.west.example:2380"),
                        "raft.peers[2]", 8, "both get the member name 'db'", "first labels differ"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRaftFiles")
    void badRaftFilesAreRefusedWithKeyLineAndFix(String why, String yaml, String key, int line, String problem, String fix) {
        ConfigException e = fails(yaml, Map.of());
        assertThat(e.key()).isEqualTo(key);
        if (line > 0) {
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.getMessage()).startsWith("ballot.conf line " + line);
        }
        assertThat(e.getMessage()).contains(problem).contains("Fix: ").contains(fix);
        assertThat(e.fix()).contains(fix);
    }

    @Test
    void aBadPeerInAFlowListIsReportedOnItsOwnLine() {
        ConfigException e = fails("""
                raft:
                  cluster_id: c1
                  node_id: node-1
                  listen_address: 127.0.0.1:2380
                  peers: [
                    "127.0.0.1:2380",

                    "127.0.0.2"]
                """, Map.of());
        assertThat(e.key()).isEqualTo("raft.peers[1]");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.getMessage()).startsWith("ballot.conf line 8, key 'raft.peers[1]': '127.0.0.2' has no port");
    }

    @Test
    void theMetricsListenerIsOffUnlessSetAndTakesAPortOfItsOwn() throws Exception {
        String raft = resource("seed/raft.yaml");
        String zoo = resource("seed/zoo.cfg");
        assertThat(ConfigLoader.parse("ballot.yaml", raft, Map.of()).metricsListen()).isNull();
        assertThat(ConfigLoader.parse("ballot.yaml", raft, Map.of("BALLOT_METRICS_ADDRESS", "10.1.0.7:9180"))
                .metricsListen()).isEqualTo(new HostPort("10.1.0.7", 9180));
        assertThat(ConfigLoader.parse("ballot.yaml", raft.replace("raft:\n", "raft:\n  metrics_address: \"0.0.0.0:9180\"\n"),
                Map.of()).metricsListen()).isEqualTo(new HostPort("0.0.0.0", 9180));
        assertThat(ConfigLoader.parse("zoo.cfg", zoo, Map.of("BALLOT_NODE_ID", "1")).metricsListen()).isNull();
        assertThat(ConfigLoader.parse("zoo.cfg", zoo, Map.of("BALLOT_NODE_ID", "1", "BALLOT_METRICS_ADDRESS", "10.1.0.7:9180"))
                .metricsListen()).isEqualTo(new HostPort("10.1.0.7", 9180));
        assertThat(ConfigLoader.parse("zoo.cfg", zoo + "metricsAddress=0.0.0.0:9180\n", Map.of("BALLOT_NODE_ID", "1"))
                .metricsListen()).isEqualTo(new HostPort("0.0.0.0", 9180));

        ConfigException noPort = fails(raft, Map.of("BALLOT_METRICS_ADDRESS", "9180"));
        assertThat(noPort.getMessage()).startsWith("environment variable BALLOT_METRICS_ADDRESS, key 'raft.metrics_address': "
                + "'9180' has no port");
        assertThat(noPort.fix()).contains("\"0.0.0.0:9180\"").contains("leave it unset");
        ConfigException scheme = fails(zoo, Map.of("BALLOT_NODE_ID", "1", "BALLOT_METRICS_ADDRESS", "http://10.1.0.7:9180"));
        assertThat(scheme.getMessage()).startsWith("environment variable BALLOT_METRICS_ADDRESS, key 'metricsAddress': ")
                .contains("has a scheme");
        ConfigException httpPort = fails(raft, Map.of("BALLOT_METRICS_ADDRESS", "0.0.0.0:8080"));
        assertThat(httpPort.problem()).isEqualTo("port 8080 is already the HTTP API's (client_address)");
        assertThat(httpPort.fix()).isEqualTo("give the metrics listener a port of its own, e.g. 9180");
        assertThat(fails(raft, Map.of("BALLOT_METRICS_ADDRESS", "0.0.0.0:2380")).problem())
                .isEqualTo("port 2380 is already the peer port (listen_address)");
        assertThat(fails(raft, Map.of("BALLOT_METRICS_ADDRESS", "0.0.0.0:2379", "BALLOT_ETCD_ADDRESS", "0.0.0.0:2379"))
                .problem()).isEqualTo("port 2379 is already the etcd API's (etcd_address)");
        assertThat(fails(zoo, Map.of("BALLOT_NODE_ID", "1", "BALLOT_METRICS_ADDRESS", "0.0.0.0:3888")).problem())
                .isEqualTo("port 3888 is already the election port of server.1");
    }

    @Test
    void badEnvironmentValuesNameTheVariable() throws Exception {
        ConfigException e = fails(resource("seed/raft.yaml"), Map.of("BALLOT_ELECTION_TIMEOUT_MIN", "soon"));
        assertThat(e.line()).isZero();
        assertThat(e.key()).isEqualTo("raft.election_timeout_min");
        assertThat(e.getMessage()).startsWith("environment variable BALLOT_ELECTION_TIMEOUT_MIN, key 'raft.election_timeout_min': "
                + "'soon' is not a duration");

        ConfigException both = fails(resource("seed/zoo.cfg"), Map.of("BALLOT_NODE_ID", "1", "BALLOT_NODEID", "2"));
        assertThat(both.getMessage()).contains("BALLOT_NODEID").contains("BALLOT_NODE_ID").contains("disagree")
                .contains("set only one");
    }

    static Stream<Arguments> badZooKeeperFiles() {
        String ok = """
                tickTime=2000
                initLimit=10
                syncLimit=5
                nodeId=1
                server.1=127.0.0.1:2888:3888
                server.2=127.0.0.2:2888:3888
                server.3=127.0.0.3:2888:3888
                """;
        return Stream.of(
                Arguments.of("unknown key with suggestion", ok.replace("tickTime", "tikTime"),
                        "tikTime", 1, "unknown key", "did you mean 'tickTime'?"),
                Arguments.of("a key ZooKeeper does not know, near one it does", ok + "autopurge.purgeIntervl=1\n",
                        "autopurge.purgeIntervl", 8, "unknown key (ZooKeeper 3.9 does not document it)",
                        "did you mean 'autopurge.purgeInterval'?"),
                Arguments.of("tickTime not a number", ok.replace("2000", "2s"),
                        "tickTime", 1, "'2s' is not a whole number", "tickTime=2000"),
                Arguments.of("tickTime below one node tick", ok.replace("2000", "5"),
                        "tickTime", 1, "5 is outside 10-60000", "tickTime=2000"),
                Arguments.of("missing syncLimit", ok.replace("syncLimit=5\n", ""),
                        "syncLimit", 0, "missing", "add syncLimit=5"),
                Arguments.of("server.0", ok + "server.0=127.0.0.4:2888:3888\n",
                        "server.0", 8, "server id '0' is outside 1-255000", "number servers from 1"),
                Arguments.of("server without election port", ok.replace("127.0.0.2:2888:3888", "127.0.0.2:2888"),
                        "server.2", 6, "needs a peer port and an election port", "host:peerPort:electionPort"),
                Arguments.of("same peer and election port", ok.replace("127.0.0.2:2888:3888", "127.0.0.2:2888:2888"),
                        "server.2", 6, "peer port and election port are both 2888", "two different ports"),
                Arguments.of("port out of range", ok.replace("127.0.0.3:2888:3888", "127.0.0.3:2888:99999"),
                        "server.3", 7, "has port 99999, outside 1-65535", "server.3=host:peerPort:electionPort"),
                Arguments.of("unknown role", ok.replace("127.0.0.3:2888:3888", "127.0.0.3:2888:3888:witness"),
                        "server.3", 7, "unknown role 'witness'", ":observer"),
                Arguments.of("duplicate address", ok.replace("127.0.0.3:2888:3888", "127.0.0.2:3888:4888"),
                        "server.3", 7, "address 127.0.0.2:3888 is also used by server.2", "its own host or ports"),
                Arguments.of("key set twice", ok + "initLimit=20\n",
                        "initLimit", 8, "set twice (first on line 2)", "keep one"),
                Arguments.of("nodeId names no server", ok.replace("nodeId=1", "nodeId=node-7"),
                        "nodeId", 4, "'node-7' names no server", "member name or server number"),
                Arguments.of("client port on a server port", ok + "clientPort=2888\n",
                        "clientPort", 8, "client port 2888 is also a server port of server.1", "different client port"),
                Arguments.of("HTTP API on a server port", ok + "clientAddress=0.0.0.0:3888\n",
                        "clientAddress", 8, "HTTP API port 3888 is also a server port of server.1", "clientAddress=0.0.0.0:8080"),
                Arguments.of("client suffix disagrees with clientPort", ok.replace("127.0.0.1:2888:3888", "127.0.0.1:2888:3888;2182")
                        + "clientPort=2181\n", "server.1", 5, "client port 2182 after ';' disagrees with clientPort=2181",
                        "make them equal"),
                Arguments.of("all observers", ok.replace(":3888\n", ":3888:observer\n"),
                        "server.N", 0, "every server is an observer", "participant"),
                Arguments.of("no servers", "tickTime=2000\ninitLimit=10\nsyncLimit=5\nnodeId=1\n",
                        "server.N", 0, "no servers", "server.N=host:peerPort:electionPort"),
                Arguments.of("per-server client port not a port", ok.replace("127.0.0.3:2888:3888", "127.0.0.3:2888:3888;99999"),
                        "server.3", 7, "client address '99999' after ';': port 99999 is outside 1-65535", ";[clientAddress:]clientPort"),
                Arguments.of("not key=value", ok + "justaword\n",
                        "justaword", 8, "not a 'key=value' line", "tickTime=2000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badZooKeeperFiles")
    void badZooKeeperFilesAreRefusedWithKeyLineAndFix(String why, String cfg, String key, int line, String problem,
                                                     String fix) {
        ConfigException e = fails(cfg, Map.of());
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.line()).isEqualTo(line);
        if (line > 0) {
            assertThat(e.getMessage()).startsWith("ballot.conf line " + line + ", key '" + key + "': ");
        }
        assertThat(e.getMessage()).contains(problem).contains("Fix: ").contains(fix);
    }

    @Test
    void myidThatDisagreesWithNodeIdIsRefused() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("d"));
        Files.writeString(data.resolve("myid"), "1");
        ConfigException e = fails(resource("seed/zoo.cfg"), Map.of("BALLOT_DATA_DIR", data.toString(), "BALLOT_NODE_ID", "node-2"));
        assertThat(e.getMessage()).contains("'node-2' is server.2 but " + data.resolve("myid") + " says 1");
    }

    @Test
    void formatIsChosenByContentAndUnknownFormatsAreExplained() throws Exception {
        assertThat(fails("", Map.of()).getMessage()).contains("the file is empty");
        ConfigException yaml = fails("# comment\ncluster:\n  a: b\n", Map.of());
        assertThat(yaml.key()).isEqualTo("cluster");
        assertThat(yaml.line()).isEqualTo(2);
        assertThat(yaml.getMessage()).contains("a YAML document must start with 'raft:'");
        assertThat(fails("hello world\n", Map.of()).getMessage())
                .contains("neither a 'raft:' YAML document nor a ZooKeeper-style key=value file");
        ConfigException missing = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(tmp.resolve("nope.yaml"), Map.of()));
        assertThat(missing.getMessage()).contains("nope.yaml").contains("cannot be read").contains("--config");
    }
}
