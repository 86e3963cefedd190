package dev.ballot.operator.desired;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballot.operator.api.ElectionClusterSpec;
import dev.ballot.operator.api.PodTemplateOverrides;
import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.ZabTimingSpec;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.CsvSource;

class DesiredChildrenTest {
    @ParameterizedTest(name = "{0} with {1} voters and {2} extra: {3} pods, PDB maxUnavailable {4}")
    @CsvSource({
        "Raft, 1, 0, 1, 0",
        "Raft, 3, 0, 3, 1",
        "Raft, 3, 2, 5, 1",
        "Zab, 5, 1, 6, 2",
        "Zab, 4, 0, 4, 1"})
    void sizesPodsAndDisruptionBudget(ConsensusProtocol protocol, int voters, int extra, int pods, int maxUnavailable) {
        ElectionClusterSpec spec = spec(protocol, voters);
        if (protocol == ConsensusProtocol.Raft) {
            spec.learners = extra;
        } else {
            spec.observers = extra;
        }
        DesiredChildren plan = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec));
        assertThat(plan.statefulSet().getSpec().getReplicas()).isEqualTo(pods);
        assertThat(plan.podDisruptionBudget().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(maxUnavailable);
        assertThat(plan.members()).hasSize(pods);
        assertThat(plan.members().stream().filter(MemberEndpoint::voter)).hasSize(voters);
    }

    /**
     * The StatefulSet as the API server stores it: a default the desired object states differently (a fieldRef without
     * apiVersion, which the server fills in; a zero initialDelaySeconds, which it stores as absent) made JOSDK's
     * server-side-apply matcher see a difference on every reconcile and re-apply the StatefulSet each time (seen in the
     * operator's debug log on the real API server: 10 applies of an unchanged StatefulSet in 40 s).
     */
    @ParameterizedTest
    @EnumSource(ConsensusProtocol.class)
    void theStatefulSetStatesNoFieldAsTheApiServerWouldNotStoreIt(ConsensusProtocol protocol) {
        for (boolean tls : new boolean[] {false, true}) {
            var pod = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(protocol, 3), tls)).statefulSet().getSpec()
                    .getTemplate().getSpec();
            var containers = new java.util.ArrayList<>(pod.getContainers());
            if (pod.getInitContainers() != null) {
                containers.addAll(pod.getInitContainers());
            }
            for (var c : containers) {
                c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
                        .forEach(e -> assertThat(e.getValueFrom().getFieldRef().getApiVersion()).as(e.getName())
                                .isEqualTo("v1"));
                for (var probe : java.util.Arrays.asList(c.getLivenessProbe(), c.getReadinessProbe(),
                        c.getStartupProbe())) {
                    if (probe != null) {
                        assertThat((Object) probe.getInitialDelaySeconds()).as("%s probe of %s", protocol, c.getName())
                                .isNotEqualTo(0);
                    }
                }
            }
        }
    }

    @Test
    void theStartupProbeAsksEverySecondForTwoMinutes() {
        for (boolean tls : new boolean[] {false, true}) {
            var probe = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3), tls))
                    .statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getStartupProbe();
            assertThat(probe.getPeriodSeconds()).as("tls=%s", tls).isEqualTo(1);
            assertThat(probe.getPeriodSeconds() * probe.getFailureThreshold()).as("tls=%s", tls).isEqualTo(120);
        }
    }

    @Test
    void fromBackupAddsARestoreInitContainerLikeTheNodeContainerWithTheSecretThroughTheKubelet() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Raft, 3);
        assertThat(new DesiredChildren("ec", "ns", EffectiveSpec.of(spec)).statefulSet().getSpec().getTemplate().getSpec()
                .getInitContainers()).isNullOrEmpty();
        spec.bootstrap = new dev.ballot.operator.api.BootstrapSpec();
        spec.bootstrap.fromBackup = new dev.ballot.operator.api.FromBackupSpec();
        spec.bootstrap.fromBackup.cluster = "old";
        spec.bootstrap.fromBackup.s3 = new dev.ballot.operator.api.S3Spec();
        spec.bootstrap.fromBackup.s3.bucket = "bk";
        spec.bootstrap.fromBackup.s3.endpoint = "http://s3.local:7070";
        spec.bootstrap.fromBackup.s3.forcePathStyle = true;
        spec.bootstrap.fromBackup.s3.credentialsSecret = "creds";
        var pod = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec)).statefulSet().getSpec().getTemplate().getSpec();
        var node = pod.getContainers().get(0);
        assertThat(pod.getInitContainers()).singleElement().satisfies(init -> {
            assertThat(init.getName()).isEqualTo("restore");
            assertThat(init.getImage()).isEqualTo(node.getImage());
            assertThat(init.getArgs()).containsExactly("restore", "--config", node.getArgs().get(2));
            assertThat(init.getVolumeMounts()).isEqualTo(node.getVolumeMounts());
            assertThat(init.getSecurityContext()).isEqualTo(node.getSecurityContext());
            assertThat(init.getEnv()).containsAll(node.getEnv());
            var env = new java.util.HashMap<String, io.fabric8.kubernetes.api.model.EnvVar>();
            init.getEnv().forEach(e -> env.put(e.getName(), e));
            assertThat(env.get("BALLOT_RESTORE_BUCKET").getValue()).isEqualTo("bk");
            assertThat(env.get("BALLOT_RESTORE_ENDPOINT").getValue()).isEqualTo("http://s3.local:7070");
            assertThat(env.get("BALLOT_RESTORE_FORCE_PATH_STYLE").getValue()).isEqualTo("true");
            assertThat(env.get("BALLOT_RESTORE_SOURCE_NAMESPACE").getValue()).isEqualTo("ns");
            assertThat(env.get("BALLOT_RESTORE_SOURCE_CLUSTER").getValue()).isEqualTo("old");
            assertThat(env.get("BALLOT_RESTORE_OBJECT").getValue()).isEqualTo("latest");
            assertThat(env.get("AWS_ACCESS_KEY_ID").getValue()).isNull();
            assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getName()).isEqualTo("creds");
            assertThat(env.get("AWS_ACCESS_KEY_ID").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("accessKeyId");
            assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secretAccessKey");
        });
    }

    @Test
    void raftConfigListsVotersByPeerDns() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Raft, 3);
        String yaml = new DesiredChildren("ec-raft", "default", EffectiveSpec.of(spec)).configMap().getData()
                .get("ballot.yaml");
        assertThat(yaml).contains("""
                raft:
                  cluster_id: "ec-raft"
                  peers:
                    - "ec-raft-0.ec-raft-peers.default.svc:2380"
                    - "ec-raft-1.ec-raft-peers.default.svc:2380"
                    - "ec-raft-2.ec-raft-peers.default.svc:2380"
                  election_timeout_min: "150ms"
                  election_timeout_max: "300ms"
                  heartbeat_interval: "50ms"
                  client_address: "0.0.0.0:8080"
                  etcd_address: "0.0.0.0:2379"
                """);
    }

    @Test
    void raftConfigCarriesTheKeyspaceQuotaInBytes() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Raft, 3);
        assertThat(new DesiredChildren("ec-raft", "default", EffectiveSpec.of(spec)).configMap().getData()
                .get("ballot.yaml")).doesNotContain("quota_bytes");
        spec.keyspaceQuota = new io.fabric8.kubernetes.api.model.Quantity("8Mi");
        assertThat(new DesiredChildren("ec-raft", "default", EffectiveSpec.of(spec)).configMap().getData()
                .get("ballot.yaml")).contains("  quota_bytes: 8388608\n");
    }

    @Test
    void raftConfigListsLearnersAfterTheVoters() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Raft, 3);
        spec.learners = 2;
        DesiredChildren plan = new DesiredChildren("ec-raft", "default", EffectiveSpec.of(spec));
        assertThat(plan.configMap().getData().get("ballot.yaml")).contains("""
                  peers:
                    - "ec-raft-0.ec-raft-peers.default.svc:2380"
                    - "ec-raft-1.ec-raft-peers.default.svc:2380"
                    - "ec-raft-2.ec-raft-peers.default.svc:2380"
                  learners:
                    - "ec-raft-3.ec-raft-peers.default.svc:2380"
                    - "ec-raft-4.ec-raft-peers.default.svc:2380"
                  election_timeout_min: "150ms"
                """);
        assertThat(plan.members()).extracting(MemberEndpoint::voter).containsExactly(true, true, true, false, false);
        assertThat(new DesiredChildren("ec-raft", "default", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3))).configMap().getData()
                .get("ballot.yaml")).doesNotContain("learners");
    }

    @Test
    void zooCfgMarksObserversAndUsesZabPorts() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Zab, 3);
        spec.observers = 1;
        spec.zab = new ZabTimingSpec(2000, 10, 5);
        // without TLS: the plain client port (TLS: tlsClustersServeZooKeeperOnTheSecurePortOnly...)
        DesiredChildren plan = new DesiredChildren("zk", "prod", EffectiveSpec.of(spec, false));
        String cfg = plan.configMap().getData().get("zoo.cfg");
        assertThat(cfg).contains("tickTime=2000\ninitLimit=10\nsyncLimit=5\n")
                .contains("server.1=zk-0.zk-peers.prod.svc:2888:3888\n")
                .contains("server.4=zk-3.zk-peers.prod.svc:2888:3888:observer\n");
        var container = plan.statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs()).containsExactly("run", "--config", "/etc/ballot/zoo.cfg");
        assertThat(container.getEnv()).extracting(EnvVar::getName).contains("BALLOT_BIND_HOST")
                .doesNotContain("BALLOT_LISTEN_ADDRESS");
        assertThat(plan.peerService().getSpec().getPorts()).extracting(p -> p.getPort())
                .containsExactly(2181, 8080, 2888, 3888);
        assertThat(cfg).contains("clientPort=2181\n").contains("clientAddress=0.0.0.0:8080\n");
    }

    @ParameterizedTest(name = "{0}: client port {1} named {2}, HTTP on 8080")
    @CsvSource({
        "Raft, 2379, etcd-client, 'etcd-client:2379,http:8080,raft:2380'",
        "Zab, 2181, zookeeper, 'zookeeper:2181,http:8080,zab-quorum:2888,zab-election:3888'"})
    void servicesPublishTheProtocolsClientPortAndTheHttpApi(ConsensusProtocol protocol, int clientPort, String portName,
                                                             String peerPorts) {
        DesiredChildren plan = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(protocol, 3), false));
        assertThat(plan.clientService().getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly(portName + ":" + clientPort, "http:8080");
        assertThat(plan.peerService().getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly(peerPorts.split(","));
        var container = plan.statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .as("the Services' ports and the metrics port, which no Service publishes")
                .containsExactlyElementsOf(java.util.stream.Stream.concat(java.util.Arrays.stream(peerPorts.split(",")),
                        java.util.stream.Stream.of("metrics:9180")).toList());
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("BALLOT_CLIENT_ADDRESS"))
                .extracting(EnvVar::getValue).containsExactly("$(POD_IP):8080");
        for (boolean tls : new boolean[] {false, true}) {
            var node = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(protocol, 3), tls)).statefulSet().getSpec()
                    .getTemplate().getSpec().getContainers().get(0);
            assertThat(node.getEnv()).as("tls %s: plain metrics whatever the TLS", tls)
                    .filteredOn(e -> e.getName().equals("BALLOT_METRICS_ADDRESS"))
                    .extracting(EnvVar::getValue).containsExactly("$(POD_IP):9180");
        }
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("BALLOT_ETCD_ADDRESS"))
                .extracting(EnvVar::getValue)
                .containsExactlyElementsOf(protocol == ConsensusProtocol.Raft ? java.util.List.of("$(POD_IP):2379") : java.util.List.of());
    }

    @Test
    void clientEndpointsNameTheServiceForEtcdAndEveryMemberForZooKeeper() {
        var raft = ClientEndpoints.of("ec", "prod", ConsensusProtocol.Raft,
                DesiredChildren.members("ec", "prod", new MemberLayout(3, 3)));
        assertThat(raft.etcd).isEqualTo("http://ec-client.prod.svc:2379");
        assertThat(raft.zookeeper).isNull();
        assertThat(raft.http).isEqualTo("http://ec-client.prod.svc:8080");
        var zab = ClientEndpoints.of("zk", "prod", ConsensusProtocol.Zab,
                DesiredChildren.members("zk", "prod", new MemberLayout(4, 3)));
        assertThat(zab.zookeeper).isEqualTo("zk-0.zk-peers.prod.svc:2181,zk-1.zk-peers.prod.svc:2181,"
                + "zk-2.zk-peers.prod.svc:2181,zk-3.zk-peers.prod.svc:2181");
        assertThat(zab.etcd).isNull();
        assertThat(zab.http).isEqualTo("http://zk-client.prod.svc:8080");
    }

    @Test
    void tlsClustersServeZooKeeperOnTheSecurePortOnlyAndGiveHttpsEndpoints() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Zab, 3);
        spec.tls = new dev.ballot.operator.api.TlsSpec(true, null);
        DesiredChildren plan = new DesiredChildren("zk", "prod", EffectiveSpec.of(spec));
        assertThat(plan.configMap().getData().get("zoo.cfg")).contains("secureClientPort=2281\n").doesNotContain("clientPort=2181");
        assertThat(plan.clientService().getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort())
                .containsExactly("zookeeper-tls:2281", "http:8080");
        assertThat(plan.statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactly("zookeeper-tls:2281", "http:8080", "zab-quorum:2888", "zab-election:3888", "metrics:9180");
        var rules = plan.networkPolicy("ops").getSpec().getIngress();
        assertThat(rules.get(0).getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactly(2888, 3888, 2281, 8080, 9180);
        assertThat(rules.get(1).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(2281, 8080);

        var zab = ClientEndpoints.of("zk", "prod", ConsensusProtocol.Zab,
                DesiredChildren.members("zk", "prod", new MemberLayout(3, 3)), true);
        assertThat(zab.zookeeper).isEqualTo("zk-0.zk-peers.prod.svc:2281,zk-1.zk-peers.prod.svc:2281,zk-2.zk-peers.prod.svc:2281");
        assertThat(zab.http).isEqualTo("https://zk-client.prod.svc:8080");
        var raft = ClientEndpoints.of("ec", "prod", ConsensusProtocol.Raft,
                DesiredChildren.members("ec", "prod", new MemberLayout(3, 3)), true);
        assertThat(raft.etcd).isEqualTo("https://ec-client.prod.svc:2379");
    }

    @Test
    void podOverridesApplyButOperatorLabelsWin() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Raft, 3);
        spec.podTemplate = new PodTemplateOverrides();
        spec.podTemplate.labels = Map.of("team", "db", "app.kubernetes.io/instance", "spoofed");
        spec.podTemplate.priorityClassName = "critical";
        spec.podTemplate.securityContext = new PodSecurityContextBuilder().withRunAsUser(2000L).build();
        var template = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec)).statefulSet().getSpec().getTemplate();
        assertThat(template.getMetadata().getLabels()).containsEntry("team", "db")
                .containsEntry("app.kubernetes.io/instance", "ec");
        assertThat(template.getSpec().getPriorityClassName()).isEqualTo("critical");
        assertThat(template.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(2000L);
    }

    @Test
    void settingsChangeThePodTemplateButTheMemberListDoesNot() {
        ElectionClusterSpec slow = spec(ConsensusProtocol.Raft, 3);
        slow.raft = new dev.ballot.operator.api.RaftTimingSpec("300ms", "600ms", "100ms");
        DesiredChildren three = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3)));
        DesiredChildren five = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 5)));
        assertThat(three.configHash()).isNotEqualTo(new DesiredChildren("ec", "ns", EffectiveSpec.of(slow)).configHash());
        assertThat(three.configHash()).as("scaling must not restart the members").isEqualTo(five.configHash());
        assertThat(three.nodeConfig().content()).isNotEqualTo(five.nodeConfig().content());
        assertThat(three.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(DesiredChildren.CONFIG_HASH_ANNOTATION, three.configHash());
    }

    @Test
    void membersReadTheInitialClusterStateFromTheConfigMapSoFlippingItRestartsNobody() {
        EffectiveSpec raft = EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3));
        DesiredChildren fresh = new DesiredChildren("ec", "ns", raft, new MemberLayout(3, 3), false);
        DesiredChildren bootstrapped = new DesiredChildren("ec", "ns", raft, new MemberLayout(3, 3), true);
        assertThat(fresh.configMap().getData()).containsEntry("initial-cluster-state", "new");
        assertThat(bootstrapped.configMap().getData()).containsEntry("initial-cluster-state", "existing");
        assertThat(bootstrapped.statefulSet()).as("the StatefulSet is the same: nothing restarts")
                .isEqualTo(fresh.statefulSet());
        assertThat(bootstrapped.statefulSet().getSpec().getTemplate())
                .as("the pod template is the same: no rolling restart").isEqualTo(fresh.statefulSet().getSpec().getTemplate());
        var env = bootstrapped.statefulSet().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("BALLOT_INITIAL_CLUSTER_STATE")).findFirst().orElseThrow();
        assertThat(env.getValueFrom().getConfigMapKeyRef().getName()).isEqualTo("ec-config");
        assertThat(env.getValueFrom().getConfigMapKeyRef().getKey()).isEqualTo("initial-cluster-state");
    }

    @Test
    void aRejoiningMemberKeepsItsSlotAsALearnerOrObserver() {
        MemberLayout layout = new MemberLayout(3, 3).rejoin(1);
        String yaml = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3)), layout)
                .nodeConfig().content();
        assertThat(yaml).contains("    - \"ec-1.ec-peers.ns.svc:2380\"\n").contains("  rejoining_learners: [\"ec-1\"]\n")
                .doesNotContain("learners:\n");
        String cfg = new DesiredChildren("zk", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Zab, 3)), layout)
                .nodeConfig().content();
        assertThat(cfg).contains("server.1=zk-0.zk-peers.ns.svc:2888:3888\n")
                .contains("server.2=zk-1.zk-peers.ns.svc:2888:3888:observer\n")
                .contains("server.3=zk-2.zk-peers.ns.svc:2888:3888\n");
        assertThat(layout.voters()).isEqualTo(3);
        assertThat(layout.isVoter(1)).isFalse();
    }

    @Test
    void membersSpreadOverNodesAndZonesByDefaultAndTheSpecReplacesIt() {
        var pod = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3))).statefulSet()
                .getSpec().getTemplate().getSpec();
        var preferred = pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        assertThat(preferred).singleElement().satisfies(t -> {
            assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(t.getPodAffinityTerm().getLabelSelector().getMatchLabels()).isEqualTo(Names.selectorLabels("ec"));
        });
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .as("a preference: a small cluster still schedules every member").isNullOrEmpty();
        assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(c -> {
            assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
            assertThat(c.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
            assertThat(c.getMaxSkew()).isEqualTo(1);
        });

        ElectionClusterSpec none = spec(ConsensusProtocol.Raft, 3);
        none.podTemplate = new PodTemplateOverrides();
        none.podTemplate.affinity = new io.fabric8.kubernetes.api.model.Affinity();
        none.podTemplate.topologySpreadConstraints = List.of();
        var plain = new DesiredChildren("ec", "ns", EffectiveSpec.of(none)).statefulSet().getSpec().getTemplate()
                .getSpec();
        assertThat(plain.getAffinity().getPodAntiAffinity()).isNull();
        assertThat(plain.getTopologySpreadConstraints()).isEmpty();
    }

    @Test
    void aLayoutListsJoiningPodsAsNonVoters() {
        EffectiveSpec raft = EffectiveSpec.of(spec(ConsensusProtocol.Raft, 5));
        DesiredChildren joining = new DesiredChildren("ec", "ns", raft, new MemberLayout(4, 3));
        assertThat(joining.statefulSet().getSpec().getReplicas()).isEqualTo(4);
        assertThat(joining.statefulSet().getMetadata().getAnnotations()).containsEntry(DesiredChildren.VOTERS_ANNOTATION, "3");
        assertThat(joining.podDisruptionBudget().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(joining.nodeConfig().content()).contains("    - \"ec-2.ec-peers.ns.svc:2380\"\n  learners:\n"
                + "    - \"ec-3.ec-peers.ns.svc:2380\"\n");
        assertThat(joining.members()).extracting(MemberEndpoint::voter).containsExactly(true, true, true, false);

        DesiredChildren zab = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Zab, 5)), new MemberLayout(4, 3));
        assertThat(zab.nodeConfig().content()).contains("server.3=ec-2.ec-peers.ns.svc:2888:3888\n"
                + "server.4=ec-3.ec-peers.ns.svc:2888:3888:observer\n").doesNotContain("server.5");
    }

    @Test
    void networkPolicyOpensPeerPortsToTheClusterClientPortsToTheOperatorAndClientFromAndMetricsToMetricsFrom() {
        var raft = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3))).networkPolicy("ops");
        assertThat(raft.getSpec().getPodSelector().getMatchLabels()).isEqualTo(Names.selectorLabels("ec"));
        assertThat(raft.getSpec().getPolicyTypes()).containsExactly("Ingress");
        var rules = raft.getSpec().getIngress();
        assertThat(rules).hasSize(4);
        assertThat(rules.get(0).getFrom()).singleElement().satisfies(p ->
                assertThat(p.getPodSelector().getMatchLabels()).isEqualTo(Names.selectorLabels("ec")));
        assertThat(rules.get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(2380, 2379, 8080, 9180);
        assertThat(rules.get(1).getFrom()).singleElement().satisfies(p -> {
            assertThat(p.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "ops");
            assertThat(p.getPodSelector().getMatchLabels()).containsEntry(Names.LABEL_NAME, "ballot-operator");
        });
        assertThat(rules.get(1).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(2379, 8080);
        assertThat(rules.get(2).getFrom()).singleElement().satisfies(p ->
                assertThat(p.getPodSelector().getMatchLabels()).as("default: the namespace's pods").isNullOrEmpty());
        assertThat(rules.get(2).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(2379, 8080);
        assertThat(rules.get(3).getFrom()).as("metricsFrom omitted: Prometheus from any namespace").isNullOrEmpty();
        assertThat(rules.get(3).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9180);

        ElectionClusterSpec monitored = spec(ConsensusProtocol.Raft, 3);
        monitored.networkPolicy = new dev.ballot.operator.api.NetworkPolicySpec();
        monitored.networkPolicy.metricsFrom = java.util.List.of(new io.fabric8.kubernetes.api.model.networking.v1
                .NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                .withMatchLabels(java.util.Map.of("kubernetes.io/metadata.name", "monitoring")).endNamespaceSelector().build());
        var m = new DesiredChildren("ec", "ns", EffectiveSpec.of(monitored)).networkPolicy("ops").getSpec().getIngress();
        assertThat(m).hasSize(4);
        assertThat(m.get(3).getFrom()).singleElement().satisfies(p -> assertThat(p.getNamespaceSelector().getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", "monitoring"));
        assertThat(m.get(3).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9180);
        assertThat(m.get(2).getPorts()).as("metricsFrom opens no client port").extracting(p -> p.getPort().getIntVal())
                .containsExactly(2379, 8080);

        ElectionClusterSpec zab = spec(ConsensusProtocol.Zab, 3);
        zab.networkPolicy = new dev.ballot.operator.api.NetworkPolicySpec();
        zab.networkPolicy.clientFrom = java.util.List.of();
        zab.networkPolicy.metricsFrom = java.util.List.of();
        var z = new DesiredChildren("zk", "ns", EffectiveSpec.of(zab, false)).networkPolicy("ops");
        assertThat(z.getSpec().getIngress()).as("clientFrom: [] and metricsFrom: [] add no rule").hasSize(2);
        assertThat(z.getSpec().getIngress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal())
                .as("the cluster's own pods still reach every port").containsExactly(2888, 3888, 2181, 8080, 9180);
        assertThat(z.getSpec().getIngress().get(1).getPorts()).extracting(p -> p.getPort().getIntVal())
                .as("the operator: client ports only").containsExactly(2181, 8080);

        zab.networkPolicy.enabled = false;
        var open = new DesiredChildren("zk", "ns", EffectiveSpec.of(zab)).networkPolicy("ops");
        assertThat(open.getSpec().getIngress()).singleElement().satisfies(r -> assertThat(r.getFrom()).isNullOrEmpty());
    }

    @Test
    void aSpecWithoutResourcesGetsTheMeasuredRequestsAndMemoryLimitAndNoCpuLimit() {
        var node = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec(ConsensusProtocol.Raft, 3))).statefulSet()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(node.getResources().getRequests()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("100m"))
                .containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("160Mi"));
        assertThat(node.getResources().getLimits()).containsOnlyKeys("memory")
                .containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("320Mi"));
    }

    @Test
    void resourcesInTheSpecAreKeptAsGiven() {
        ElectionClusterSpec spec = spec(ConsensusProtocol.Zab, 3);
        spec.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).build();
        var node = new DesiredChildren("ec", "ns", EffectiveSpec.of(spec)).statefulSet()
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(node.getResources().getRequests()).containsOnlyKeys("memory");
        assertThat(node.getResources().getLimits()).isNullOrEmpty();
    }

    private static ElectionClusterSpec spec(ConsensusProtocol protocol, int replicas) {
        ElectionClusterSpec spec = new ElectionClusterSpec();
        spec.protocol = protocol;
        spec.replicas = replicas;
        return spec;
    }
}
