package dev.ballot.bench;

import dev.ballot.engine.Protocol;
import dev.ballot.node.demo.DemoTiming;
import dev.ballot.node.demo.LocalCluster;
import dev.ballot.nodeapi.Consistency;
import dev.ballot.nodeapi.NodeEndpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * Ballot's own node processes, started by the demo's {@link LocalCluster} (Raft or ZAB). With native clients, Raft
 * members serve the etcd v3 API and are driven by jetcd, ZAB members serve the ZooKeeper protocol and are driven by
 * the ZooKeeper Java client; otherwise by Ballot's HTTP key-value API.
 */
final class BallotBenchCluster implements BenchCluster {
    private final LocalCluster cluster;
    private final Protocol protocol;
    private final boolean nativeClient;
    private final JetcdSessions jetcd;
    /** With {@code --tls}: the application's certificate from this cluster's CA, which the native clients present. */
    private final Path clientCerts;

    /** The HTTP client of the sessions: the shared plain one, or one over HTTPS with this cluster's client certificate. */
    private final dev.ballot.nodeapi.NodeClient http;
    private final boolean tls;

    BallotBenchCluster(Protocol protocol, Path workDir, List<String> jvmOptions, boolean nativeClient, boolean tls)
            throws IOException {
        this.protocol = protocol;
        this.nativeClient = nativeClient;
        this.tls = tls;
        this.cluster = new LocalCluster(protocol, 3, DemoTiming.SEED, workDir, jvmOptions);
        if (tls) {
            // Peers over mutual TLS 1.3 and the HTTP API, the etcd and the ZooKeeper ports over TLS with client
            // certificates required, as a cluster with spec.tls runs (docs/node-api.md, TLS); the bench speaks as an
            // application with the cluster's client certificate.
            dev.ballot.node.demo.LocalTls certs = cluster.enableTls("Required");
            this.clientCerts = certs.client();
            try {
                this.http = HttpSessions.tls(dev.ballot.nodeapi.tls.ReloadingTls.open(certs.client()).context());
            } catch (dev.ballot.nodeapi.tls.TlsException e) {
                throw new IOException(e.getMessage(), e);
            }
        } else {
            this.http = HttpSessions.NODES;
            this.clientCerts = null;
        }
        // with TLS the etcd and ZooKeeper ports are TLS only (LocalCluster: https endpoints, the secure client port)
        this.jetcd = new JetcdSessions(clientCerts);
        if (nativeClient && protocol == Protocol.RAFT) {
            cluster.enableEtcd();
        } else if (nativeClient) {
            cluster.enableZooKeeper();
        }
    }

    /** What drives the members: jetcd, the ZooKeeper client, or HTTP. */
    String client() {
        return !nativeClient ? "http" : protocol == Protocol.RAFT ? "jetcd" : "zookeeper";
    }

    @Override
    public String system() {
        return "ballot-" + protocol.wireName();
    }

    @Override
    public String describe() {
        return "ballot-node (this build) " + DemoTiming.SEED.describe(protocol) + " client=" + client()
                + " tls=" + (tls ? "on (peers mTLS 1.3, clients over TLS with client certificates required)" : "off")
                + " members=" + cluster.clientAddresses();
    }

    @Override
    public int size() {
        return 3;
    }

    /**
     * ZAB with the ZooKeeper client: the same session bounds and connection limit as the ZooKeeper cluster's
     * zoo.cfg (the default maxSessionTimeout, 20 ticks, is 1 s at tickTime 50 ms; 64 clients share one address).
     */
    private java.util.Map<String, String> env() {
        return nativeClient && protocol == Protocol.ZAB
                ? java.util.Map.of("BALLOT_MAXSESSIONTIMEOUT", Integer.toString(ZooKeeperBenchCluster.SESSION_TIMEOUT_MS * 2),
                        "BALLOT_MAXCLIENTCNXNS", "0")
                : java.util.Map.of();
    }

    @Override
    public void startAll() throws IOException {
        for (LocalCluster.Node n : cluster.nodes()) {
            cluster.start(n.id(), env());
        }
    }

    @Override
    public boolean healthy() {
        return cluster.nodes().stream().allMatch(n -> cluster.ready(n.id())) && cluster.leader().isPresent();
    }

    @Override
    public OptionalInt leader() {
        return cluster.leader().map(l -> OptionalInt.of((int) l.id() - 1)).orElse(OptionalInt.empty());
    }

    private final boolean[] killed = new boolean[3];

    @Override
    public String exitedUnexpectedly() {
        for (LocalCluster.Node n : cluster.nodes()) {
            Process p = n.process();
            if (p != null && !killed[(int) n.id() - 1] && !p.isAlive()) {
                return n.name() + " exited with code " + p.exitValue() + " (log " + n.log() + ")";
            }
        }
        return null;
    }

    @Override
    public void kill(int member) throws InterruptedException {
        killed[member] = true;
        cluster.kill(member + 1);
        jetcd.forget(cluster.etcdEndpoint(member + 1));
    }

    @Override
    public void freeze(int member) throws IOException, InterruptedException {
        killed[member] = true;
        cluster.freeze(member + 1);
    }

    @Override
    public boolean claimsLeadership(int member, Duration timeout) {
        if (process(member) == null) {
            return false;
        }
        try {
            // Raft says "leader", ZAB "leading": the node API's own reading of its role
            return node(member).withTimeout(timeout).status().leads();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Process process(int member) {
        Process p = cluster.node(member + 1).process();
        return p != null && p.isAlive() ? p : null;
    }

    @Override
    public void restart(int member) throws IOException {
        jetcd.forget(cluster.etcdEndpoint(member + 1));
        cluster.start(member + 1, env());
        killed[member] = false;
    }

    @Override
    public KvSession session(int member) throws IOException {
        if (nativeClient) {
            return protocol == Protocol.RAFT ? jetcd.session(cluster.etcdEndpoint(member + 1))
                    : ZooKeeperBenchCluster.session(cluster.zooKeeperAddress(member + 1),
                            clientCerts != null ? BenchTls.zooKeeperClient(clientCerts) : ZooKeeperBenchCluster.withoutSasl());
        }
        NodeEndpoint node = node(member);
        return new KvSession() {
            @Override
            public void put(String key, byte[] value, Duration timeout) throws Exception {
                node.withTimeout(timeout).put(key, value);
            }

            @Override
            public byte[] linearizableGet(String key, Duration timeout) throws Exception {
                return node.withTimeout(timeout).get(key, Consistency.LINEARIZABLE)
                        .orElseThrow(() -> new IOException("GET " + key + ": key absent")).value();
            }

            @Override
            public void close() {
                // the HTTP client is shared
            }
        };
    }

    private NodeEndpoint node(int member) {
        return http.at(cluster.clientAddress(member + 1));
    }

    @Override
    public String logs() {
        return cluster.workDir().toString();
    }

    @Override
    public void close() {
        jetcd.close();
        cluster.close();
    }
}
