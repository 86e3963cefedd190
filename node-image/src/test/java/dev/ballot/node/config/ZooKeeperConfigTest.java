package dev.ballot.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** zoo.cfg files as ZooKeeper 3.9 users write them: every documented key accepted, the client port ZooKeeper's. */
class ZooKeeperConfigTest {
    /** A typical production file (ZooKeeper's admin guide plus what operators add). */
    static final String PRODUCTION = """
            # ZooKeeper 3.9 production ensemble
            tickTime=2000
            initLimit=10
            syncLimit=5
            dataDir=/var/lib/zookeeper/data
            dataLogDir=/var/lib/zookeeper/log
            clientPort=2181
            clientPortAddress=0.0.0.0
            secureClientPort=2281
            maxClientCnxns=100
            minSessionTimeout=4000
            maxSessionTimeout=40000
            autopurge.snapRetainCount=3
            autopurge.purgeInterval=24
            4lw.commands.whitelist=ruok,srvr,mntr
            admin.enableServer=false
            admin.serverPort=8080
            metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
            metricsProvider.httpPort=7000
            metricsProvider.exportJvmInfo=true
            standaloneEnabled=false
            reconfigEnabled=false
            quorumListenOnAllIPs=true
            snapCount=100000
            preAllocSize=65536
            globalOutstandingLimit=1000
            jute.maxbuffer=4194304
            ssl.keyStore.location=/etc/zk/keystore.jks
            ssl.quorum.trustStore.location=/etc/zk/truststore.jks
            authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
            group.1=1:2:3
            weight.1=1
            server.1=zk-0.zk-hs.prod.svc:2888:3888:participant;0.0.0.0:2181
            server.2=zk-1.zk-hs.prod.svc:2888:3888:participant;2181
            server.3=zk-2.zk-hs.prod.svc:2888:3888;zk-2.zk-hs.prod.svc:2181
            server.4=zk-3.zk-hs.prod.svc:2888:3888:observer;2181
            """;

    @Test
    void aProductionZooCfgIsAcceptedAndItsIgnoredKeysAreWarnedAbout() throws Exception {
        NodeConfig c = ConfigLoader.parse("zoo.cfg", PRODUCTION, Map.of("BALLOT_NODE_ID", "zk-1", "BALLOT_BIND_HOST", "10.1.0.7"));
        assertThat(c.nodeId()).isEqualTo(2);
        ZooKeeperClientConfig zk = c.zookeeper();
        assertThat(zk.listen()).isEqualTo(new HostPort("0.0.0.0", 2181));
        assertThat(zk.connectString()).isEqualTo(
                "zk-0.zk-hs.prod.svc:2181,zk-1.zk-hs.prod.svc:2181,zk-2.zk-hs.prod.svc:2181,zk-3.zk-hs.prod.svc:2181");
        assertThat(zk.maxClientCnxns()).isEqualTo(100);
        assertThat(zk.minSessionTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(zk.maxSessionTimeout()).isEqualTo(Duration.ofSeconds(40));
        assertThat(c.clientListen()).isEqualTo(new HostPort("10.1.0.7", 8080));
        assertThat(c.warnings()).hasSize(22)
                .anySatisfy(w -> assertThat(w).isEqualTo("zoo.cfg line 6: 'dataLogDir' is a ZooKeeper setting that means"
                        + " nothing to Ballot; ignored"))
                .anySatisfy(w -> assertThat(w).contains("line 9: 'secureClientPort'"))
                .anySatisfy(w -> assertThat(w).contains("'weight.1'"))
                .noneSatisfy(w -> assertThat(w).contains("maxClientCnxns"));
    }

    @Test
    void theOperatorsFileKeepsItsHttpPortAndServesNoZooKeeperClientsUntilItNamesAClientPort() throws Exception {
        // What the operator wrote before the HTTP API moved to 8080 (Ballot's older meaning of clientPort).
        String operator = """
                # Written by ballot-operator for ElectionCluster default/ec-zab. Per-pod values come from BALLOT_* environment variables.
                tickTime=2000
                initLimit=10
                syncLimit=5
                clientPort=2379
                dataDir=/var/lib/ballot
                clusterId=ec-zab
                clientAddress=0.0.0.0:2379
                server.1=ec-zab-0.ec-zab-peers.default.svc:2888:3888
                server.2=ec-zab-1.ec-zab-peers.default.svc:2888:3888
                server.3=ec-zab-2.ec-zab-peers.default.svc:2888:3888
                """;
        NodeConfig c = ConfigLoader.parse("zoo.cfg", operator, Map.of("BALLOT_NODE_ID", "ec-zab-1",
                "BALLOT_BIND_HOST", "10.1.0.7", "BALLOT_CLIENT_ADDRESS", "10.1.0.7:2379"));
        assertThat(c.clientListen()).isEqualTo(new HostPort("10.1.0.7", 2379));
        assertThat(c.members().get(0).clientAddress()).isEqualTo(new HostPort("ec-zab-0.ec-zab-peers.default.svc", 2379));
        assertThat(c.zookeeper()).isNull();
        assertThat(c.warnings()).singleElement().asString()
                .contains("line 5: clientPort=2379 is the HTTP API's port").contains("Write clientPort=2181");
        NodeConfig fixed = ConfigLoader.parse("zoo.cfg", operator.replace("clientPort=2379", "clientPort=2181"),
                Map.of("BALLOT_NODE_ID", "ec-zab-1", "BALLOT_BIND_HOST", "10.1.0.7", "BALLOT_CLIENT_ADDRESS", "10.1.0.7:2379"));
        assertThat(fixed.zookeeper().listen()).isEqualTo(new HostPort("10.1.0.7", 2181));
        assertThat(fixed.zookeeper().connectString()).startsWith("ec-zab-0.ec-zab-peers.default.svc:2181,");
        assertThat(fixed.warnings()).isEmpty();
    }

    static Stream<Arguments> clientEndpoints() {
        String servers = "tickTime=100\ninitLimit=10\nsyncLimit=5\nnodeId=1\n";
        String three = "server.1=127.0.0.1:2888:3888\nserver.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n";
        return Stream.of(
                Arguments.of("clientPort 2181 on all addresses, HTTP 8080", servers + three + "clientPort=2181\n",
                        "0.0.0.0:2181", "127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181", "0.0.0.0:8080", 2000, 0),
                Arguments.of("clientPort is ZooKeeper's", servers + three + "clientPort=12181\n",
                        "0.0.0.0:12181", "127.0.0.1:12181,127.0.0.2:12181,127.0.0.3:12181", "0.0.0.0:8080", 2000, 0),
                Arguments.of("bindHost binds both", servers + three + "bindHost=127.0.0.1\nclientPort=2181\n",
                        "127.0.0.1:2181", "127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181", "127.0.0.1:8080", 2000, 0),
                Arguments.of("clientPortAddress binds ZooKeeper's port only",
                        servers + three + "clientPortAddress=127.0.0.1\nclientAddress=127.0.0.1:12379\nclientPort=2181\n",
                        "127.0.0.1:2181", "127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181", "127.0.0.1:12379", 2000, 0),
                Arguments.of("per-server suffixes, host and port",
                        servers + three.replace("2888:3888\n", "2888:3888;%s\n").formatted("127.0.0.1:3181", "3182", "127.0.0.9:3183"),
                        "127.0.0.1:3181", "127.0.0.1:3181,127.0.0.2:3182,127.0.0.9:3183", "0.0.0.0:8080", 2000, 0),
                Arguments.of("suffix equal to clientPort", servers + three.replace("3888\nserver.2", "3888;2181\nserver.2")
                        + "clientPort=2181\n", "0.0.0.0:2181", "127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181", "0.0.0.0:8080", 2000, 0),
                Arguments.of("IPv6 suffix", servers + three.replace("3888\nserver.2", "3888:participant;[::1]:2181\nserver.2"),
                        "[::1]:2181", "[::1]:2181,127.0.0.2:2181,127.0.0.3:2181", "0.0.0.0:8080", 2000, 0),
                Arguments.of("session bounds", servers + three + "minSessionTimeout=100\nmaxSessionTimeout=30000\nclientPort=2181\n",
                        "0.0.0.0:2181", "127.0.0.1:2181,127.0.0.2:2181,127.0.0.3:2181", "0.0.0.0:8080", 30000, 0));
    }

    @Test
    void withoutAClientPortNoZooKeeperClientsAreServedAsInZooKeeper() throws Exception {
        NodeConfig c = ConfigLoader.parse("zoo.cfg", "tickTime=100\ninitLimit=10\nsyncLimit=5\nnodeId=1\n"
                + "server.1=127.0.0.1:2888:3888\n", Map.of());
        assertThat(c.zookeeper()).isNull();
        assertThat(c.clientListen()).hasToString("0.0.0.0:8080");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientEndpoints")
    void clientEndpointsFollowZooKeepersKeys(String name, String cfg, String listen, String connect, String http,
                                             long maxSessionMs, int warnings) throws Exception {
        NodeConfig c = ConfigLoader.parse("zoo.cfg", cfg, Map.of());
        assertThat(c.zookeeper().listen()).hasToString(listen);
        assertThat(c.zookeeper().connectString()).isEqualTo(connect);
        assertThat(c.clientListen()).hasToString(http);
        assertThat(c.zookeeper().maxSessionTimeout().toMillis()).isEqualTo(maxSessionMs);
        assertThat(c.warnings()).hasSize(warnings);
    }

    static Stream<Arguments> refused() {
        String ok = "tickTime=2000\ninitLimit=10\nsyncLimit=5\nnodeId=1\nserver.1=127.0.0.1:2888:3888\n";
        return Stream.of(
                Arguments.of(ok + "maxClientCnxn=10\n", "maxClientCnxns"),
                Arguments.of(ok + "secureClientPrt=2281\n", "secureClientPort"),
                Arguments.of(ok + "admin.enableServr=false\n", "admin.enableServer"),
                Arguments.of(ok + "metricsProvider.httpPrt=7000\n", "metricsProvider.httpPort"),
                Arguments.of(ok + "4lw.command.whitelist=*\n", "4lw.commands.whitelist"),
                Arguments.of(ok + "clientPortAdress=0.0.0.0\n", "clientPortAddress"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aKeyZooKeeperDoesNotKnowIsRefusedWithTheNearestKnownKey(String cfg, String suggestion) {
        assertThatThrownBy(() -> ConfigLoader.parse("zoo.cfg", cfg, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key (ZooKeeper 3.9 does not document it)")
                .satisfies(e -> assertThat(((ConfigException) e).fix()).startsWith("did you mean '" + suggestion + "'?"));
    }

    static Stream<Arguments> badClientSettings() {
        String ok = "tickTime=2000\ninitLimit=10\nsyncLimit=5\nnodeId=1\nserver.1=127.0.0.1:2888:3888\nclientPort=2181\n";
        return Stream.of(
                Arguments.of(ok.replace("2181", "3888"), "clientPort", "client port 3888 is also a server port of server.1"),
                Arguments.of(ok.replace("2181", "12379") + "clientAddress=0.0.0.0:12379\n", "clientPort",
                        null),
                Arguments.of(ok + "clientAddress=0.0.0.0:2181\n", "clientPort", null),
                Arguments.of(ok.replace("clientPort=2181", "clientAddress=0.0.0.0:2181").replace("3888\n", "3888;2181\n"),
                        "server.1", "client port 2181 is also the HTTP API's port (clientAddress)"),
                Arguments.of(ok + "maxClientCnxns=-1\n", "maxClientCnxns", "-1 is outside 0-1000000"),
                Arguments.of(ok + "minSessionTimeout=5000\nmaxSessionTimeout=4000\n", "minSessionTimeout",
                        "minSessionTimeout 5000 ms is above maxSessionTimeout 4000 ms"),
                Arguments.of(ok + "clientPortAddress=bad host\n", "clientPortAddress", "'bad host' is not a host"),
                Arguments.of(ok.replace("3888\n", "3888;host:\n").replace("clientPort=2181\n", ""), "server.1", "client address 'host:' after ';'"));
    }

    /** A null problem: accepted (the legacy reading: clientPort equal to the HTTP port is the HTTP port, no ZooKeeper port). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badClientSettings")
    void badClientSettingsNameTheKey(String cfg, String key, String problem) throws Exception {
        if (problem == null) {
            NodeConfig c = ConfigLoader.parse("zoo.cfg", cfg, Map.of());
            assertThat(c.zookeeper()).isNull();
            assertThat(c.warnings()).singleElement().asString().contains("is the HTTP API's port");
            return;
        }
        assertThatThrownBy(() -> ConfigLoader.parse("zoo.cfg", cfg, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
                .hasMessageContaining(problem);
    }

    static Stream<Arguments> secureClientPorts() {
        String ok = "tickTime=2000\ninitLimit=10\nsyncLimit=5\nnodeId=1\nserver.1=127.0.0.1:2888:3888\n"
                + "server.2=127.0.0.2:2888:3888\nserver.3=127.0.0.3:2888:3888\n";
        String tls = "tlsDir=/etc/ballot/tls\n";
        return Stream.of(
                Arguments.of("TLS, the secure port only (the operator's)", ok + tls + "secureClientPort=2281\n", null,
                        "0.0.0.0:2281", "127.0.0.1:2281,127.0.0.2:2281,127.0.0.3:2281", 0),
                Arguments.of("TLS, both ports (plain clients too, the user's choice)",
                        ok + tls + "clientPort=2181\nsecureClientPort=2281\nsecureClientPortAddress=127.0.0.1\n",
                        "0.0.0.0:2181", "127.0.0.1:2281", "127.0.0.1:2281,127.0.0.2:2281,127.0.0.3:2281", 0),
                Arguments.of("no TLS: secureClientPort is warned about and not served", ok + "clientPort=2181\nsecureClientPort=2281\n",
                        "0.0.0.0:2181", null, "", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secureClientPorts")
    void theSecureClientPortIsServedWithTls(String name, String cfg, String listen, String secureListen, String secureConnect,
                                            int warnings) throws Exception {
        NodeConfig c = ConfigLoader.parse("zoo.cfg", cfg, Map.of());
        assertThat(c.zookeeper().listen() == null ? null : c.zookeeper().listen().toString()).isEqualTo(listen);
        assertThat(c.zookeeper().secureListen() == null ? null : c.zookeeper().secureListen().toString()).isEqualTo(secureListen);
        assertThat(c.zookeeper().secureConnectString()).isEqualTo(secureConnect);
        assertThat(c.warnings()).hasSize(warnings);
    }

    static Stream<Arguments> badSecureClientPorts() {
        String ok = "tickTime=2000\ninitLimit=10\nsyncLimit=5\nnodeId=1\nserver.1=127.0.0.1:2888:3888\ntlsDir=/etc/ballot/tls\n";
        return Stream.of(
                Arguments.of(ok + "clientPort=2181\n", "clientPort", "TLS is on (tlsDir) but ZooKeeper clients would be"
                        + " served in plain TCP only"),
                Arguments.of(ok.replace("3888\n", "3888;2181\n"), "server.1", "TLS is on"),
                Arguments.of(ok + "secureClientPort=3888\n", "secureClientPort", "secure client port 3888 is also"),
                Arguments.of(ok + "clientPort=2181\nsecureClientPort=2181\n", "secureClientPort", "secure client port 2181"),
                Arguments.of(ok + "secureClientPort=0\n", "secureClientPort", "0 is outside 1-65535"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSecureClientPorts")
    void badSecureClientSettingsNameTheKey(String cfg, String key, String problem) {
        assertThatThrownBy(() -> ConfigLoader.parse("zoo.cfg", cfg, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key))
                .hasMessageContaining(problem);
    }
}
