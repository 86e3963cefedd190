package dev.ballot.operator.desired;

import dev.ballot.operator.api.ConsensusProtocol;
import java.util.List;

/**
 * The node configuration file the ConfigMap carries, shared by every member. Per-pod values (node id, listen and
 * client addresses) come from environment overrides, see docs/conventions.md.
 */
public record NodeConfigFile(String fileName, String content) {
    public static final String MOUNT_DIR = "/etc/ballot";
    public static final String DATA_DIR = "/var/lib/ballot";
    /** Ballot's HTTP API (status, events, admin, health, metrics, its key-value store); the probes' port. */
    public static final int HTTP_PORT = 8080;
    /** etcd's client port: Raft members serve the etcd v3 API there (etcdctl, jetcd, kube-apiserver). */
    public static final int ETCD_PORT = 2379;
    /** ZooKeeper's client port: ZAB members serve the ZooKeeper client protocol there (zkCli, Curator). */
    public static final int ZOOKEEPER_PORT = 2181;
    /**
     * ZooKeeper's customary secureClientPort: on TLS clusters ZAB members serve ZooKeeper clients here only (TLS with
     * client certificates), and followers link to their leader here with their member certificate.
     */
    public static final int ZOOKEEPER_SECURE_PORT = 2281;
    public static final int RAFT_PORT = 2380;
    /**
     * The plain-HTTP metrics port (node: {@code BALLOT_METRICS_ADDRESS}): {@code GET /metrics} only, never TLS, what
     * Prometheus scrapes on every cluster whatever its TLS (etcd's {@code --listen-metrics-urls}). docs/metrics.md.
     */
    public static final int METRICS_PORT = 9180;
    public static final int ZAB_QUORUM_PORT = 2888;
    public static final int ZAB_ELECTION_PORT = 3888;
    private static final String BALLOT_YAML = "ballot.yaml";
    private static final String ZOO_CFG = "zoo.cfg";

    public String path() {
        return MOUNT_DIR + "/" + fileName;
    }

    /** Where the members read the file of a cluster running {@code protocol}. */
    public static String pathFor(ConsensusProtocol protocol) {
        return MOUNT_DIR + "/" + (protocol == ConsensusProtocol.Zab ? ZOO_CFG : BALLOT_YAML);
    }

    public static NodeConfigFile render(String cluster, String namespace, EffectiveSpec spec) {
        return render(cluster, namespace, spec, MemberLayout.of(spec));
    }

    /** The file for the pods {@code layout} lists; its voters are the configuration's voters, in ordinal order. */
    public static NodeConfigFile render(String cluster, String namespace, EffectiveSpec spec, MemberLayout layout) {
        return spec.protocol() == ConsensusProtocol.Zab ? zooCfg(cluster, namespace, spec, layout)
                : raftYaml(cluster, namespace, spec, layout);
    }

    static NodeConfigFile raftYaml(String cluster, String namespace, EffectiveSpec spec) {
        return raftYaml(cluster, namespace, spec, MemberLayout.of(spec));
    }

    static NodeConfigFile zooCfg(String cluster, String namespace, EffectiveSpec spec) {
        return zooCfg(cluster, namespace, spec, MemberLayout.of(spec));
    }

    static NodeConfigFile raftYaml(String cluster, String namespace, EffectiveSpec spec, MemberLayout layout) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by ballot-operator for ElectionCluster ").append(namespace).append('/').append(cluster)
                .append(". Per-pod values come from BALLOT_* environment variables.\n");
        y.append("raft:\n");
        y.append("  cluster_id: ").append(quote(cluster)).append('\n');
        y.append("  peers:\n");
        for (int i = 0; i < layout.voters(); i++) {
            y.append("    - ").append(quote(Names.peerHost(cluster, namespace, i) + ":" + RAFT_PORT)).append('\n');
        }
        // Learners are the pods after the voters; the node numbers them after the peers, as ZAB does its observers.
        // A pod that is joining (scaling up) is listed here too, so it never campaigns before the leader adds it.
        if (layout.pods() > layout.voters()) {
            y.append("  learners:\n");
            for (int i = layout.voters(); i < layout.pods(); i++) {
                y.append("    - ").append(quote(Names.peerHost(cluster, namespace, i) + ":" + RAFT_PORT)).append('\n');
            }
        }
        // A member replaced after losing its storage keeps its place in peers (its id) and starts as a learner.
        List<String> rejoining = layout.rejoining().stream().sorted()
                .map(i -> quote(Names.pod(cluster, i))).toList();
        if (!rejoining.isEmpty()) {
            y.append("  rejoining_learners: [").append(String.join(", ", rejoining)).append("]\n");
        }
        y.append("  election_timeout_min: ").append(quote(spec.electionTimeoutMin())).append('\n');
        y.append("  election_timeout_max: ").append(quote(spec.electionTimeoutMax())).append('\n');
        y.append("  heartbeat_interval: ").append(quote(spec.heartbeatInterval())).append('\n');
        y.append("  client_address: ").append(quote("0.0.0.0:" + HTTP_PORT)).append('\n');
        y.append("  etcd_address: ").append(quote("0.0.0.0:" + ETCD_PORT)).append('\n');
        y.append("  data_dir: ").append(quote(DATA_DIR)).append('\n');
        if (spec.keyspaceQuotaBytes() != null) {
            y.append("  quota_bytes: ").append(spec.keyspaceQuotaBytes()).append('\n');
        }
        return new NodeConfigFile(BALLOT_YAML, y.toString());
    }

    static NodeConfigFile zooCfg(String cluster, String namespace, EffectiveSpec spec, MemberLayout layout) {
        StringBuilder p = new StringBuilder();
        p.append("# Written by ballot-operator for ElectionCluster ").append(namespace).append('/').append(cluster)
                .append(". Per-pod values come from BALLOT_* environment variables.\n");
        p.append("tickTime=").append(spec.tickTime()).append('\n');
        p.append("initLimit=").append(spec.initLimit()).append('\n');
        p.append("syncLimit=").append(spec.syncLimit()).append('\n');
        // TLS: the secure port only; a plain port beside it would serve clients unauthenticated (docs/zookeeper.md).
        p.append(spec.tls() ? "secureClientPort=" + ZOOKEEPER_SECURE_PORT : "clientPort=" + ZOOKEEPER_PORT).append('\n');
        p.append("dataDir=").append(DATA_DIR).append('\n');
        p.append("clusterId=").append(cluster).append('\n');
        p.append("clientAddress=0.0.0.0:").append(HTTP_PORT).append('\n');
        for (int i = 0; i < layout.pods(); i++) {
            p.append("server.").append(i + 1).append('=').append(Names.peerHost(cluster, namespace, i))
                    .append(':').append(ZAB_QUORUM_PORT).append(':').append(ZAB_ELECTION_PORT)
                    .append(layout.isVoter(i) ? "" : ":observer").append('\n');
        }
        return new NodeConfigFile(ZOO_CFG, p.toString());
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
