package dev.ballot.operator.desired;

import dev.ballot.operator.api.PodTemplateOverrides;
import dev.ballot.operator.api.ConsensusProtocol;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired children of one ElectionCluster, built from its spec alone. Pure: no client, no clock. Owner references
 * are added by the dependent resources.
 */
public final class DesiredChildren {
    public static final String CONFIG_HASH_ANNOTATION = "ballot.dev/config-hash";
    /** On the StatefulSet: how many of its pods the node configuration lists as voters (the operator's record). */
    public static final String VOTERS_ANNOTATION = "ballot.dev/voters";
    public static final int NODE_UID = 10001;
    /**
     * In the ConfigMap: {@code existing} once the cluster has bootstrapped (the operator's record, kept for good), which
     * every member reads as {@code BALLOT_INITIAL_CLUSTER_STATE} when it starts (docs/node-api.md, Member identity):
     * through the ConfigMap, not the pod template or the StatefulSet, so that flipping it restarts nobody.
     */    public static final String INITIAL_CLUSTER_STATE_KEY = "initial-cluster-state";
    public static final String EXISTING = "existing";
    /** The name of the HTTP API's port on the container and both Services; the probes use it. */
    public static final String HTTP = "http";
    /** The client port's name: etcd's (Raft) or ZooKeeper's (ZAB). */
    public static final String ETCD_CLIENT = "etcd-client";
    public static final String ZOOKEEPER = "zookeeper";
    /** The plain-HTTP metrics port's name (container port; the PodMonitor scrapes it): not on the Services. */
    public static final String METRICS = "metrics";
    /** The ZooKeeper port of a TLS cluster (secureClientPort). */
    public static final String ZOOKEEPER_TLS = "zookeeper-tls";
    /** Where a member mounts the cluster's member Secret (every member's certificate; each picks its own by name). */
    public static final String TLS_DIR = "/etc/ballot/tls";

    private final String name;
    private final String namespace;
    private final EffectiveSpec spec;
    private final MemberLayout layout;
    private final NodeConfigFile config;
    private final boolean bootstrapped;

    public DesiredChildren(String name, String namespace, EffectiveSpec spec) {
        this(name, namespace, spec, MemberLayout.of(spec));
    }

    /** The children for the pods {@code layout} lists (while scaling it differs from the spec's). */
    public DesiredChildren(String name, String namespace, EffectiveSpec spec, MemberLayout layout) {
        this(name, namespace, spec, layout, false);
    }

    /**
     * @param bootstrapped the cluster has bootstrapped: members start with {@code BALLOT_INITIAL_CLUSTER_STATE=existing},
     *                     so one that lost its storage reports that it needs replacing instead of voting empty
     */
    public DesiredChildren(String name, String namespace, EffectiveSpec spec, MemberLayout layout,
                           boolean bootstrapped) {
        this.name = name;
        this.namespace = namespace;
        this.spec = spec;
        this.layout = layout;
        this.config = NodeConfigFile.render(name, namespace, spec, layout);
        this.bootstrapped = bootstrapped;
    }

    public boolean bootstrapped() {
        return bootstrapped;
    }

    public MemberLayout layout() {
        return layout;
    }

    public EffectiveSpec spec() {
        return spec;
    }

    public NodeConfigFile nodeConfig() {
        return config;
    }

    /** Members in ordinal order: the pods the StatefulSet makes. */
    public List<MemberEndpoint> members() {
        return members(name, namespace, layout);
    }

    /** The members {@code layout} lists for cluster {@code name}, in ordinal order. */
    public static List<MemberEndpoint> members(String name, String namespace, MemberLayout layout) {
        List<MemberEndpoint> members = new ArrayList<>();
        for (int i = 0; i < layout.pods(); i++) {
            members.add(new MemberEndpoint(Names.pod(name, i), i + 1, layout.isVoter(i),
                    Names.peerHost(name, namespace, i)));
        }
        return members;
    }

    public Service peerService() {
        List<ServicePort> ports = new ArrayList<>();
        memberPorts().forEach((name, port) -> ports.add(servicePort(name, port)));
        return new ServiceBuilder()
                .withMetadata(meta(Names.peerService(name)))
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(Names.selectorLabels(name))
                .withPorts(ports)
                .endSpec()
                .build();
    }

    public Service clientService() {
        return new ServiceBuilder()
                .withMetadata(meta(Names.clientService(name)))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(Names.selectorLabels(name))
                .withPorts(clientServicePorts())
                .endSpec()
                .build();
    }

    /** The protocol's client port first (what applications connect to), then Ballot's HTTP API. */
    private List<ServicePort> clientServicePorts() {
        return spec.protocol() == ConsensusProtocol.Zab
                ? List.of(servicePort(zooKeeperPortName(), zooKeeperPort()), servicePort(HTTP, NodeConfigFile.HTTP_PORT))
                : List.of(servicePort(ETCD_CLIENT, NodeConfigFile.ETCD_PORT), servicePort(HTTP, NodeConfigFile.HTTP_PORT));
    }

    public ConfigMap configMap() {
        return new ConfigMapBuilder()
                .withMetadata(meta(Names.configMap(name)))
                .withData(Map.of(config.fileName(), config.content(),
                        INITIAL_CLUSTER_STATE_KEY, bootstrapped ? EXISTING : "new"))
                .build();
    }

    public PodDisruptionBudget podDisruptionBudget() {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(meta(Names.podDisruptionBudget(name)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(QuorumMath.maxUnavailable(layout.voters())))
                .withNewSelector().withMatchLabels(Names.selectorLabels(name)).endSelector()
                .endSpec()
                .build();
    }

    /**
     * Ingress to the member pods: peer ports only from the cluster's own pods; client ports from the cluster's pods
     * (followers forward to their leader), from the operator's pods in {@code operatorNamespace}, and from
     * {@code spec.networkPolicy.clientFrom} (default: every pod of the cluster's namespace); the metrics port from the
     * cluster's pods and {@code spec.networkPolicy.metricsFrom} (default: anyone, for Prometheus in whatever namespace:
     * it serves only {@code GET /metrics}, no keys or values). The peer ports are the protocol's, the metrics port is
     * {@link #METRICS}; every other container port is a client port. Disabled: one rule that allows everything.
     */
    public io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy networkPolicy(String operatorNamespace) {
        var builder = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder()
                .withMetadata(meta(Names.networkPolicy(name)))
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(Names.selectorLabels(name)).endPodSelector()
                .withPolicyTypes("Ingress");
        if (!spec.networkPolicy()) {
            return builder.addNewIngress().endIngress().endSpec().build();
        }
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> peer = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> client = new ArrayList<>();
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> metrics = new ArrayList<>();
        List<String> peerNames = spec.protocol() == ConsensusProtocol.Zab ? List.of("zab-quorum", "zab-election") : List.of("raft");
        for (ContainerPort p : containerPorts()) {
            var port = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder()
                    .withProtocol("TCP").withPort(new IntOrString(p.getContainerPort())).build();
            (peerNames.contains(p.getName()) ? peer : METRICS.equals(p.getName()) ? metrics : client).add(port);
        }
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> all = new ArrayList<>(peer);
        all.addAll(client);
        all.addAll(metrics);
        var members = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                .withNewPodSelector().withMatchLabels(Names.selectorLabels(name)).endPodSelector().build();
        var operator = new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                .withNewNamespaceSelector().withMatchLabels(Map.of("kubernetes.io/metadata.name", operatorNamespace))
                .endNamespaceSelector()
                .withNewPodSelector().withMatchLabels(Map.of(Names.LABEL_NAME, Names.MANAGER)).endPodSelector().build();
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer> others = spec.clientFrom() != null
                ? spec.clientFrom()
                : List.of(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder()
                        .withNewPodSelector().endPodSelector().build());
        builder.addNewIngress().withFrom(members).withPorts(all).endIngress()
                .addNewIngress().withFrom(operator).withPorts(client).endIngress();
        if (!others.isEmpty()) {
            builder.addNewIngress().withFrom(others).withPorts(client).endIngress();
        }
        if (spec.metricsFrom() == null) {
            builder.addNewIngress().withPorts(metrics).endIngress(); // no from: any source
        } else if (!spec.metricsFrom().isEmpty()) {
            builder.addNewIngress().withFrom(spec.metricsFrom()).withPorts(metrics).endIngress();
        }
        return builder.endSpec().build();
    }

    public StatefulSet statefulSet() {
        PodTemplateOverrides o = spec.podTemplate();
        Map<String, String> podLabels = new LinkedHashMap<>();
        if (o.labels != null) {
            podLabels.putAll(o.labels);
        }
        podLabels.putAll(Names.labels(name));
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        if (o.annotations != null) {
            podAnnotations.putAll(o.annotations);
        }
        podAnnotations.put(CONFIG_HASH_ANNOTATION, configHash());

        ObjectMeta stsMeta = meta(Names.statefulSet(name));
        stsMeta.setAnnotations(new LinkedHashMap<>(Map.of(VOTERS_ANNOTATION, Integer.toString(layout.voters()))));
        StatefulSet sts = new StatefulSetBuilder()
                .withMetadata(stsMeta)
                .withNewSpec()
                .withServiceName(Names.peerService(name))
                .withReplicas(layout.pods())
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
                .withNewSelector().withMatchLabels(Names.selectorLabels(name)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withEnableServiceLinks(false)
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(30L)
                .withSecurityContext(o.securityContext != null ? o.securityContext : restrictedPodSecurity())
                .withAffinity(o.affinity != null ? o.affinity : MemberSpread.affinity(name))
                .withTolerations(o.tolerations)
                .withTopologySpreadConstraints(o.topologySpreadConstraints != null ? o.topologySpreadConstraints
                        : MemberSpread.zones(name))
                .withPriorityClassName(o.priorityClassName)
                .withNodeSelector(o.nodeSelector)
                .addNewContainer()
                .withName("node")
                .withImage(spec.image())
                .withArgs("run", "--config", config.path())
                .withPorts(containerPorts())
                .withEnv(env())
                .withResources(spec.resources())
                .withReadinessProbe(httpProbe("/readyz", 0, 2, 3))
                .withLivenessProbe(httpProbe("/healthz", 0, 10, 6))
                // Every second, for up to 120 s: the kubelet reports the pod Ready within milliseconds of this probe's
                // first success (its readiness probe runs at once), so its period is what a restart waits beyond the
                // JVM's start, 0.5 s on average instead of 1 s (a rolling update pays it once per member).
                .withStartupProbe(httpProbe("/healthz", 0, STARTUP_PROBE_PERIOD_SECONDS,
                        (int) (STARTUP_WINDOW.toSeconds() / STARTUP_PROBE_PERIOD_SECONDS)))
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount().withName("config").withMountPath(NodeConfigFile.MOUNT_DIR).withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath(NodeConfigFile.DATA_DIR).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addAllToVolumeMounts(spec.tls() ? List.of(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                        .withName("tls").withMountPath(TLS_DIR).withReadOnly(true).build()) : List.of())
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(Names.configMap(name)).endConfigMap()
                .endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addAllToVolumes(spec.tls() ? List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("tls")
                        .withNewSecret().withSecretName(Names.memberTlsSecret(name)).withDefaultMode(0444).endSecret()
                        .build()) : List.of())
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(dataClaim())
                .endSpec()
                .build();
        RestoreInitContainer.add(sts, spec, namespace);
        return sts;
    }

    /**
     * Hash of the node configuration without its member list: a settings change (timing, ports) changes the pod
     * template, so members are rolled; scaling does not. Members that run never re-read the list: after the first
     * membership change their log holds the configuration, and the operator only ever lists the voters the cluster
     * committed (see docs/operator.md, Scaling), so restarting them for a new list would only cost availability.
     */
    public String configHash() {
        String settings = NodeConfigFile.render(name, namespace, spec, new MemberLayout(0, 0)).content();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(settings.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    PersistentVolumeClaim dataClaim() {
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data").withLabels(Names.labels(name)).endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(spec.storageClassName())
                .withNewResources().addToRequests("storage", new Quantity(spec.storageSize())).endResources()
                .endSpec()
                .build();
    }

    static PodSecurityContext restrictedPodSecurity() {
        return new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser((long) NODE_UID)
                .withRunAsGroup((long) NODE_UID)
                .withFsGroup((long) NODE_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .build();
    }

    /**
     * The ports a member listens on, by name: the protocol's client port (what applications connect to), Ballot's
     * HTTP API, then the protocol's peer port(s).
     */
    private Map<String, Integer> memberPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (spec.protocol() == ConsensusProtocol.Zab) {
            ports.put(zooKeeperPortName(), zooKeeperPort());
            ports.put(HTTP, NodeConfigFile.HTTP_PORT);
            ports.put("zab-quorum", NodeConfigFile.ZAB_QUORUM_PORT);
            ports.put("zab-election", NodeConfigFile.ZAB_ELECTION_PORT);
        } else {
            ports.put(ETCD_CLIENT, NodeConfigFile.ETCD_PORT);
            ports.put(HTTP, NodeConfigFile.HTTP_PORT);
            ports.put("raft", NodeConfigFile.RAFT_PORT);
        }
        return ports;
    }

    /** TLS clusters serve ZooKeeper clients on the secure port only (NodeConfigFile writes secureClientPort). */
    private String zooKeeperPortName() {
        return spec.tls() ? ZOOKEEPER_TLS : ZOOKEEPER;
    }

    private int zooKeeperPort() {
        return spec.tls() ? NodeConfigFile.ZOOKEEPER_SECURE_PORT : NodeConfigFile.ZOOKEEPER_PORT;
    }

    /** The Services' ports, then the metrics port (a pod's own: Prometheus scrapes each member, never a Service). */
    private List<ContainerPort> containerPorts() {
        List<ContainerPort> ports = new ArrayList<>();
        memberPorts().forEach((name, port) -> ports.add(containerPort(name, port)));
        ports.add(containerPort(METRICS, NodeConfigFile.METRICS_PORT));
        return ports;
    }

    private List<EnvVar> env() {
        List<EnvVar> env = new ArrayList<>();
        env.add(fieldRef("POD_NAME", "metadata.name"));
        env.add(fieldRef("POD_NAMESPACE", "metadata.namespace"));
        env.add(fieldRef("POD_IP", "status.podIP"));
        env.add(new EnvVar("BALLOT_NODE_ID", "$(POD_NAME)", null));
        if (spec.protocol() == ConsensusProtocol.Zab) {
            env.add(new EnvVar("BALLOT_BIND_HOST", "$(POD_IP)", null));
        } else {
            env.add(new EnvVar("BALLOT_LISTEN_ADDRESS", "$(POD_IP):" + NodeConfigFile.RAFT_PORT, null));
            env.add(new EnvVar("BALLOT_ETCD_ADDRESS", "$(POD_IP):" + NodeConfigFile.ETCD_PORT, null));
        }
        env.add(new EnvVar("BALLOT_CLIENT_ADDRESS", "$(POD_IP):" + NodeConfigFile.HTTP_PORT, null));
        // Plain HTTP whatever spec.tls: the PodMonitor scrapes every cluster alike (an older node ignores it).
        env.add(new EnvVar("BALLOT_METRICS_ADDRESS", "$(POD_IP):" + NodeConfigFile.METRICS_PORT, null));
        env.add(new EnvVar("BALLOT_DATA_DIR", NodeConfigFile.DATA_DIR, null));
        if (spec.tls()) {
            env.add(new EnvVar("BALLOT_TLS_DIR", TLS_DIR, null));
            env.add(new EnvVar("BALLOT_TLS_CLIENT_AUTH", spec.tlsClientCertRequired() ? "Required" : "Optional", null));
        }
        env.add(new EnvVarBuilder().withName("BALLOT_INITIAL_CLUSTER_STATE").withNewValueFrom()
                .withNewConfigMapKeyRef(INITIAL_CLUSTER_STATE_KEY, Names.configMap(name), true).endValueFrom().build());
        return env;
    }

    private ObjectMeta meta(String childName) {
        return new ObjectMetaBuilder().withName(childName).withNamespace(namespace).withLabels(Names.labels(name))
                .build();
    }

    /**
     * The downward API. Written as the API server stores it (apiVersion v1, the default it fills in), and likewise
     * {@link #httpProbe} leaves a zero initial delay out: a desired StatefulSet that differs from the stored one only
     * by a default never matches, so every reconcile re-applied it (an API round trip per reconcile, 30-900 ms of
     * each reconcile's time on the real node, and so of how late a new leader reached the status).
     */
    private static EnvVar fieldRef(String envName, String path) {
        return new EnvVarBuilder().withName(envName).withNewValueFrom().withNewFieldRef().withApiVersion("v1")
                .withFieldPath(path).endFieldRef().endValueFrom().build();
    }

    private static ServicePort servicePort(String portName, int port) {
        return new ServicePortBuilder().withName(portName).withPort(port).withTargetPort(new IntOrString(portName))
                .withProtocol("TCP").build();
    }

    private static ContainerPort containerPort(String portName, int port) {
        return new ContainerPortBuilder().withName(portName).withContainerPort(port).withProtocol("TCP").build();
    }

    /**
     * HTTP(S) GET on the HTTP API's port. With TLS the kubelet speaks HTTPS (it does not verify the certificate and
     * presents none): fine while client certificates are Optional. When they are Required the handshake would fail,
     * so the probe only checks that the port accepts connections.
     */
    /** How often the startup probe asks, and how long a member may take to start (a large snapshot to load). */
    static final int STARTUP_PROBE_PERIOD_SECONDS = 1;
    static final java.time.Duration STARTUP_WINDOW = java.time.Duration.ofSeconds(120);

    private Probe httpProbe(String path, int initialDelaySeconds, int period, int failureThreshold) {
        Integer initialDelay = initialDelaySeconds == 0 ? null : initialDelaySeconds; // 0 is stored as absent
        if (spec.tls() && spec.tlsClientCertRequired()) {
            return new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(HTTP)).endTcpSocket()
                    .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withTimeoutSeconds(1)
                    .withFailureThreshold(failureThreshold).build();
        }
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(HTTP))
                .withScheme(spec.tls() ? "HTTPS" : null).endHttpGet()
                .withInitialDelaySeconds(initialDelay).withPeriodSeconds(period).withTimeoutSeconds(1)
                .withFailureThreshold(failureThreshold).build();
    }
}
