package dev.ballot.node.process;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.Member;
import dev.ballot.engine.Membership;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.node.config.HostPort;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;
import dev.ballot.etcd.EtcdResult;
import dev.ballot.etcd.EtcdServer;
import dev.ballot.etcd.EtcdTls;
import dev.ballot.node.etcd.EtcdMachine;
import dev.ballot.node.etcd.NodeEtcdBackend;
import dev.ballot.node.http.HttpApi;
import dev.ballot.node.zookeeper.ZooKeeperMachine;
import dev.ballot.node.zookeeper.ZooKeeperService;
import dev.ballot.zookeeper.TxnResult;
import dev.ballot.zookeeper.ZkServer;
import dev.ballot.node.http.NodeInfo;
import dev.ballot.node.metrics.NodeMetrics;
import dev.ballot.node.server.ClusterIdentityKeeper;
import dev.ballot.node.server.EngineFactory;
import dev.ballot.node.server.EngineWarmUp;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.QuotaState;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RuntimeListener;
import dev.ballot.node.server.RuntimeStatus;
import dev.ballot.node.storage.CorruptStorageException;
import dev.ballot.node.storage.FileNodeStorage;
import dev.ballot.node.storage.MemberRecord;
import dev.ballot.node.storage.NodeStorage;
import dev.ballot.node.transport.PeerTransport;
import dev.ballot.node.transport.TransportOptions;
import dev.ballot.node.transport.PeerTls;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.node.config.TlsSettings;
import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.TlsException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * One running member: storage, engine, driver, peer transport and HTTP API, opened in that order
 * and closed in reverse. {@link #shutdown()} is what SIGTERM runs. The composition root: the only class
 * that knows every other package, so it sits above them all.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeProcess.class.getName());
    public static final String VERSION = "0.1.0";
    /** How long a stopping leader waits for its successor before it just leaves. */
    public static final Duration HANDOFF_TIMEOUT = Duration.ofSeconds(2);

    private final NodeConfig config;
    private final NodeStorage storage;
    private final PeerTransport transport;
    private final NodeRuntime<?, ?> runtime;
    private final HttpApi api;
    /** The etcd v3 API; null unless configured. */
    private final EtcdServer etcd;
    private final MemberDirectory directory;
    /** The ZooKeeper client protocol (ZAB with a client port), null otherwise. */
    private final ZkServer zk;
    private final ClusterIdentityKeeper identity;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private NodeProcess(NodeConfig config, NodeStorage storage, PeerTransport transport, NodeRuntime<?, ?> runtime, HttpApi api,
                        EtcdServer etcd, MemberDirectory directory, ClusterIdentityKeeper identity, ZkServer zk) {
        this.etcd = etcd;
        this.identity = identity;
        this.config = config;
        this.storage = storage;
        this.transport = transport;
        this.runtime = runtime;
        this.api = api;
        this.directory = directory;
        this.zk = zk;
    }

    public static NodeProcess start(NodeConfig config) throws IOException, CorruptStorageException {
        EngineWarmUp.start(config.protocol());
        AtomicReference<NodeMetrics> metricsRef = new AtomicReference<>();
        FileNodeStorage storage = FileNodeStorage.open(config.dataDir(), config.clusterId(), config.nodeId(), nanos -> {
            NodeMetrics m = metricsRef.get();
            if (m != null) {
                m.fsync(nanos);
            }
        });
        PeerTransport transport = null;
        NodeRuntime<?, ?> runtime = null;
        ZkServer zk = null;
        EtcdServer etcd = null;
        ClusterIdentityKeeper identity = null;
        HttpApi api = null;
        try {
            PersistedState persisted = storage.load();
            ConsensusNode engine = EngineFactory.create(config, persisted, new SecureRandom().nextLong());
            MessageCodec codec = config.protocol() == Protocol.RAFT ? new RaftCodec() : new ZabCodec();
            // A snapshot arrives in chunks, reassembled in the data directory's volume (not in /tmp: it may be small).
            transport = new PeerTransport(config.nodeId(), config.clusterId(), codec,
                    TransportOptions.defaults().spoolingIn(config.dataDir().resolve("incoming")));
            NodeTls tls = openTls(config);
            NodeRuntime<EtcdMachine, EtcdResult> etcdRuntime = null;
            ZooKeeperMachine zkMachine = config.zookeeper() != null ? new ZooKeeperMachine() : null;
            NodeRuntime<ZooKeeperMachine, TxnResult> zkRuntime = null;
            if (zkMachine != null) {
                // A ZAB member with a ZooKeeper client port: the log feeds ZooKeeper's data tree.
                runtime = zkRuntime = new NodeRuntime<>(zkMachine, engine, persisted, config.initialMembership(),
                        storage, transport::send, runtimeOptions());
            } else if (config.etcdListen() != null) {
                // One log feeds one state machine: with the etcd API on, it is etcd's MVCC store.
                etcdRuntime = new NodeRuntime<>(new EtcdMachine(config.quotaBytes()), engine, persisted, config.initialMembership(),
                        storage, transport::send, runtimeOptions());
                runtime = etcdRuntime;
            } else {
                runtime = new NodeRuntime<>(new KvMachine(config.quotaBytes()), engine, persisted, config.initialMembership(),
                        storage, transport::send, runtimeOptions());
            }

            List<MemberDirectory.Entry> entries = new ArrayList<>();
            for (PeerSpec p : config.members()) {
                entries.add(new MemberDirectory.Entry(p.id(), p.name(), EngineFactory.peerAddress(p), p.clientAddress().toString()));
            }
            MemberDirectory directory = new MemberDirectory(entries, config.clientListen().port());
            if (tls != null) {
                transport.useTls(new PeerTls(tls.files().context(), (id, cert) -> tls.memberMismatch(directory, id, cert)));
            }
            NodeMetrics metrics = new NodeMetrics(runtime::status, directory, new NodeMetrics.Identity(config.nodeName(),
                    config.nodeId(), config.clusterId(), config.protocol().wireName(), VERSION), config.dataDir());
            metricsRef.set(metrics);
            runtime.addListener(metrics);
            PeerTransport t = transport;
            runtime.addListener(new RuntimeListener() {
                @Override
                public void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean changed) {
                    if (changed && previous != null) {
                        LOG.info(() -> "role " + current.node().role() + " term " + current.node().term() + " leader "
                                + (current.leaderId() == 0 ? "none" : directory.name(current.leaderId()))
                                + " last " + current.node().lastLogIndex() + " commit " + current.node().commitIndex());
                    }
                    if (previous == null || !previous.membership().equals(current.membership())) {
                        directory.learn(current.membership());
                        t.setPeers(peers(current.membership(), config.nodeId()));
                    }
                }
            });

            List<HostPort> listen = new ArrayList<>();
            listen.add(config.peerListen());
            if (config.electionListen() != null) {
                listen.add(config.electionListen());
            }
            transport.onPeerLost(runtime::peerUnreachable);
            transport.start(listen, runtime::deliver);
            transport.setPeers(peers(runtime.status().membership(), config.nodeId()));
            directory.learn(runtime.status().membership());
            NodeInfo info = new NodeInfo(runtime, directory, config.clusterId(), config.protocol(), VERSION, Duration.ofSeconds(5));
            api = new HttpApi(info, metrics,
                    new InetSocketAddress(config.clientListen().host(), config.clientListen().port()), config.limits(), tls);
            if (config.metricsListen() != null) {
                // Plain HTTP whatever the TLS: Prometheus scrapes every member alike (docs/metrics.md).
                api.metricsListener(new InetSocketAddress(config.metricsListen().host(), config.metricsListen().port()));
            }
            // The identity is replicated beside whichever state machine the log feeds, so every member keeps one.
            identity = new ClusterIdentityKeeper(runtime, config.dataDir(), config.clusterId(),
                    MemberRecord.read(config.dataDir()).orElse(null), directory::name);
            ClusterIdentityKeeper keeper = identity;
            // The keyspace quota and its NOSPACE alarm, of whichever store has one (ZooKeeper's data tree has none).
            KvMachine kv = etcdRuntime == null && zkRuntime == null ? info.kvRuntime().machine() : null;
            EtcdMachine etcdMachine = etcdRuntime == null ? null : etcdRuntime.machine();
            java.util.function.Supplier<QuotaState> quota = kv != null ? kv::quotaState
                    : etcdMachine != null ? etcdMachine::quotaState : null;
            if (quota != null) {
                metrics.quota(quota);
            }
            api.statusFields(() -> {
                Map<String, Object> fields = new java.util.LinkedHashMap<>(keeper.statusFields());
                if (quota != null) {
                    fields.putAll(quota.get().statusFields());
                }
                if (tls != null) {
                    // what the reloading material holds now: the operator's CA rotation waits on it
                    fields.put("tls", dev.ballot.nodeapi.tls.Fingerprints.report(tls.files().material()));
                }
                return fields;
            });
            NodeRuntime<?, ?> rt = runtime;
            api.recovery(id -> {
                // Recorded durably first: the answer promises the member will rebuild from this index at its next start.
                ForceNewCluster.record(config, id);
                RuntimeStatus st = rt.status();
                return new dev.ballot.nodeapi.ForceNewCluster.Result(config.nodeName(), id, st.node().lastLogIndex(),
                        st.node().term(), "recorded: when " + config.nodeName() + " next starts it rebuilds the cluster "
                        + "as a configuration of itself alone from its log (last index " + st.node().lastLogIndex()
                        + "); restart it now, then add the other members again empty");
            });
            runtime.start();
            identity.start();
            if (etcdRuntime != null) {
                etcd = EtcdServer.start(new NodeEtcdBackend(etcdRuntime, directory, config.clusterId(),
                                config.etcdListen().port(), tls != null),
                        new InetSocketAddress(config.etcdListen().host(), config.etcdListen().port()),
                        tls == null ? null : new EtcdTls(tls.files().keyManager(), tls.files().trustManager(),
                                tls.clientCertificateRequired()));
                dev.ballot.etcd.WatchStats watches = etcd.watchStats();
                metrics.etcdWatchers(watches::catchingUp, watches::slowTotal);
                LOG.info("etcd v3 API on " + config.etcdListen() + (tls == null ? " (plain HTTP/2)"
                        : " (TLS, client certificates " + config.tls().clientAuth() + ")"));
            }
            if (zkRuntime != null) {
                zk = ZooKeeperService.start(config, zkMachine, zkRuntime, tls, directory);
            }
            // Last: /readyz (and every HTTP route) answers only once the client protocol's server listens and has
            // served itself once (EtcdServer's warm-up), so no client is sent to a member whose first calls are slow
            // or refused (docs/bench.md, "The first write after an election").
            api.start();
            config.warnings().forEach(LOG::warning);
            LOG.info(() -> "ballot-node " + config.nodeName() + " (id " + config.nodeId() + ", " + config.protocol().wireName()
                    + ", cluster " + config.clusterId() + ") peers on " + listen + ", client API on " + config.clientListen()
                    + (config.metricsListen() == null ? "" : ", metrics (plain HTTP) on " + config.metricsListen())
                    + ", data in " + config.dataDir());
            return new NodeProcess(config, storage, transport, runtime, api, etcd, directory, identity, zk);
        } catch (IOException | CorruptStorageException | RuntimeException e) {
            new ShutdownSteps(config.nodeName(), System.err, SHUTDOWN_DUMP_AFTER)
                    .run(closeSteps(zk, identity, etcd, api, runtime, transport, storage));
            throw e;
        }
    }

    /** The node's TLS material, checked now so that a node with unusable certificates does not start; null when off. */
    private static NodeTls openTls(NodeConfig config) throws IOException {
        if (config.tls() == null) {
            return null;
        }
        try {
            NodeTls tls = NodeTls.open(config.tls(), config.clusterId(), config.nodeName());
            LOG.info(() -> "TLS from " + config.tls().dir() + " (client certificates " + config.tls().clientAuth()
                    + "): " + CertIdentity.describe(tls.files().material().leaf()) + ", valid until "
                    + tls.files().material().leaf().getNotAfter().toInstant());
            return tls;
        } catch (TlsException e) {
            throw new IOException("TLS (" + TlsSettings.DIR_KEY + "): " + e.getMessage(), e);
        }
    }

    /** Driver tuning; {@code -Dballot.snapshotEvery=N} lets tests exercise snapshots and compaction with few writes. */
    static NodeRuntime.Options runtimeOptions() {
        NodeRuntime.Options d = NodeRuntime.Options.defaults();
        long every = Long.getLong("ballot.snapshotEvery", d.snapshotEvery());
        return new NodeRuntime.Options(d.tick(), every);
    }

    /** Where to dial each other member: its peer (quorum) port. */
    static Map<Long, HostPort> peers(Membership membership, long self) {
        Map<Long, HostPort> out = new HashMap<>();
        for (Member m : membership.members()) {
            if (m.id() == self || m.address().isEmpty()) {
                continue;
            }
            String a = m.address();
            try {
                // host:port, or host:peerPort:electionPort for ZAB (a [v6] host keeps its colons)
                int first = a.indexOf(':', a.startsWith("[") ? a.indexOf(']') : 0);
                int second = first < 0 ? -1 : a.indexOf(':', first + 1);
                out.put(m.id(), HostPort.parse(second < 0 ? a : a.substring(0, second)));
            } catch (RuntimeException e) {
                LOG.warning("member " + m.id() + " has an address that is not host:port: '" + m.address() + "'; not dialling it");
            }
        }
        return out;
    }

    public NodeRuntime<?, ?> runtime() {
        return runtime;
    }

    public int clientPort() {
        return api.port();
    }

    /** Blocks until the driver stops (shutdown, or a fatal storage error). */
    public void awaitTermination() throws InterruptedException {
        runtime.join();
    }

    /**
     * SIGTERM: hand leadership off (bounded), then close everything, each step within its deadline
     * ({@link #closeSteps}): the pod's 30 s grace must never be what ends the process.
     */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        // First, so that a log without it says the signal never reached the JVM's hook.
        System.err.println("ballot-node " + config.nodeName() + ": stopping (SIGTERM)");
        List<ShutdownSteps.Step> steps = new ArrayList<>();
        steps.add(new ShutdownSteps.Step("handoff", HANDOFF_TIMEOUT.plusSeconds(1), () -> {
            if (runtime.handOffLeadership(HANDOFF_TIMEOUT)) {
                // stderr, not JUL: the logging system resets itself in its own shutdown hook.
                System.err.println("ballot-node " + config.nodeName() + ": handed leadership to "
                        + directory.name(runtime.status().leaderId()) + " (term " + runtime.status().node().term()
                        + ") before stopping");
            }
        }));
        steps.addAll(closeSteps(zk, identity, etcd, api, runtime, transport, storage));
        runSteps(steps);
    }

    @Override
    public void close() {
        if (stopped.compareAndSet(false, true)) {
            runSteps(closeSteps(zk, identity, etcd, api, runtime, transport, storage));
        }
    }

    private void runSteps(List<ShutdownSteps.Step> steps) {
        long began = System.nanoTime();
        List<String> took = new ShutdownSteps(config.nodeName(), System.err, SHUTDOWN_DUMP_AFTER).run(steps);
        System.err.println("ballot-node " + config.nodeName() + ": stopped in "
                + Duration.ofNanos(System.nanoTime() - began).toMillis() + " ms (" + String.join(", ", took) + ")");
    }

    /** A stop still running this long after SIGTERM prints its step and a thread dump (stderr). */
    static final Duration SHUTDOWN_DUMP_AFTER = Duration.ofSeconds(5);

    /**
     * The close steps, the reverse of the order {@link #start} opens things in, with their deadlines: at most 22 s in
     * all with the hand-off's 3 s, inside a pod's 30 s grace. Storage is last, with time for its final sync; a step
     * that overruns is left behind, so storage still closes after everything else was asked to stop.
     */
    static List<ShutdownSteps.Step> closeSteps(ZkServer zk, ClusterIdentityKeeper identity, EtcdServer etcd,
                                               HttpApi api, NodeRuntime<?, ?> runtime, PeerTransport transport,
                                               NodeStorage storage) {
        return List.of(
                new ShutdownSteps.Step("zookeeper", Duration.ofSeconds(2), zk),
                new ShutdownSteps.Step("identity", Duration.ofSeconds(1), identity),
                new ShutdownSteps.Step("etcd", Duration.ofSeconds(2), etcd),
                new ShutdownSteps.Step("http", Duration.ofSeconds(2), api),
                // its own join waits up to 5 s for the driver to finish the batch in hand
                new ShutdownSteps.Step("runtime", Duration.ofSeconds(6), runtime),
                new ShutdownSteps.Step("transport", Duration.ofSeconds(2), transport),
                new ShutdownSteps.Step("storage", Duration.ofSeconds(4), storage));
    }

}
