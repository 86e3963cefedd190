package dev.ballot.node.http;

import dev.ballot.engine.ConsensusNode;
import dev.ballot.engine.MalformedMessageException;
import dev.ballot.engine.Message;
import dev.ballot.engine.MessageCodec;
import dev.ballot.engine.PersistedState;
import dev.ballot.engine.Protocol;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.engine.raft.RaftCodec;
import dev.ballot.engine.zab.ZabCodec;
import dev.ballot.node.config.ConfigLoader;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.PeerSpec;
import dev.ballot.node.metrics.NodeMetrics;
import dev.ballot.node.server.EngineFactory;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.server.RecordingStorage;
import dev.ballot.node.server.RuntimeListener;
import dev.ballot.node.server.RuntimeStatus;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Three real engines (Raft or ZAB) behind the real driver and HTTP API, wired in one process: messages
 * pass through each protocol's codec, storage is an in-memory recorder, each API on its own loopback port.
 */
final class InProcessCluster implements AutoCloseable {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Map<Long, NodeRuntime<KvMachine, KvResult>> runtimes = new HashMap<>();
    private final Map<Long, Integer> ports = new HashMap<>();

    private InProcessCluster() {
    }

    static InProcessCluster start(Protocol protocol) throws Exception {
        InProcessCluster c = new InProcessCluster();
        c.startAll(protocol);
        return c;
    }

    private static String config(Protocol protocol, long self) {
        if (protocol == Protocol.RAFT) {
            return """
                    raft:
                      cluster_id: "in-process"
                      node_id: "node-%d"
                      listen_address: "127.0.0.%d:2380"
                      peers: ["127.0.0.1:2380", "127.0.0.2:2380", "127.0.0.3:2380"]
                      client_address: "127.0.0.%d:2379"
                    """.formatted(self, self, self);
        }
        return """
                tickTime=50
                initLimit=10
                syncLimit=4
                clusterId=in-process
                nodeId=node-%d
                bindHost=127.0.0.%d
                server.1=127.0.0.1:2888:3888
                server.2=127.0.0.2:2888:3888
                server.3=127.0.0.3:2888:3888
                """.formatted(self, self);
    }

    private void startAll(Protocol protocol) throws Exception {
        MessageCodec codec = protocol == Protocol.RAFT ? new RaftCodec() : new ZabCodec();
        List<MemberDirectory> directories = new ArrayList<>();
        for (long id = 1; id <= 3; id++) {
            NodeConfig cfg = ConfigLoader.parse("node-" + id, config(protocol, id), Map.of());
            ConsensusNode engine = EngineFactory.create(cfg, PersistedState.EMPTY, 1000 + id);
            NodeRuntime<KvMachine, KvResult> rt = new NodeRuntime<>(new KvMachine(), engine, PersistedState.EMPTY, engine.membership(),
                    new RecordingStorage(), m -> route(codec, m),
                    new NodeRuntime.Options(Duration.ofMillis(10), 5)); // snapshot and compact every 5 entries
            runtimes.put(id, rt);
            List<MemberDirectory.Entry> entries = new ArrayList<>();
            for (PeerSpec p : cfg.members()) {
                entries.add(new MemberDirectory.Entry(p.id(), p.name(), p.peerAddress().toString(), p.clientAddress().toString()));
            }
            MemberDirectory dir = new MemberDirectory(entries, 0);
            directories.add(dir);
            NodeMetrics metrics = new NodeMetrics(rt::status, dir);
            rt.addListener(metrics);
            rt.addListener(new RuntimeListener() { // as NodeProcess does: names of members added at run time
                @Override
                public void onStatus(RuntimeStatus previous, RuntimeStatus current, boolean changed) {
                    if (previous == null || !previous.membership().equals(current.membership())) {
                        dir.learn(current.membership());
                    }
                }
            });
            HttpApi api = new HttpApi(new NodeInfo(rt, dir, "in-process", protocol, "test", Duration.ofSeconds(15)),
                    metrics, new InetSocketAddress("127.0.0.1", 0));
            ports.put(id, api.start().port());
            closeables.add(api);
            closeables.add(rt);
        }
        for (MemberDirectory dir : directories) {
            for (long id = 1; id <= 3; id++) {
                dir.register(new MemberDirectory.Entry(id, "node-" + id, "", "127.0.0.1:" + ports.get(id)));
            }
        }
        runtimes.values().forEach(NodeRuntime::start);
    }

    private boolean route(MessageCodec codec, Message m) {
        NodeRuntime<KvMachine, KvResult> to = runtimes.get(m.to());
        if (to == null) {
            return false;
        }
        try {
            to.deliver(codec.decode(codec.encode(m)));
            return true;
        } catch (MalformedMessageException e) {
            throw new AssertionError("codec cannot read back its own message " + m, e);
        }
    }

    /** The node's HTTP address, {@code 127.0.0.1:port}. */
    String address(long id) {
        return "127.0.0.1:" + ports.get(id);
    }

    int port(long id) {
        return ports.get(id);
    }

    NodeRuntime<KvMachine, KvResult> runtime(long id) {
        return runtimes.get(id);
    }

    /** The leader every member agrees on and that knows it leads, or empty. */
    Optional<Long> agreedLeader() {
        Long leader = null;
        for (NodeRuntime<KvMachine, KvResult> rt : runtimes.values()) {
            long l = rt.status().leaderId();
            if (l == 0 || (leader != null && leader != l)) {
                return Optional.empty();
            }
            leader = l;
        }
        return Optional.ofNullable(leader).filter(l -> runtimes.get(l).status().isLeader());
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }
}
