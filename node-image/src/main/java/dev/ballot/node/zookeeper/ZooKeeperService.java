package dev.ballot.node.zookeeper;

import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.ZooKeeperClientConfig;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.zookeeper.TxnResult;
import dev.ballot.zookeeper.ZkServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the ZooKeeper client protocol of a ZAB member on its configured client port. Other members' addresses stay
 * unresolved until a follower dials its leader (pod DNS names may not resolve yet at start).
 */
public final class ZooKeeperService {
    private ZooKeeperService() {
    }

    public static ZkServer start(NodeConfig config, ZooKeeperMachine machine, NodeRuntime<ZooKeeperMachine, TxnResult> runtime)
            throws IOException {
        ZooKeeperClientConfig zk = config.zookeeper();
        Map<Long, InetSocketAddress> members = new LinkedHashMap<>();
        zk.memberAddresses().forEach((id, a) -> members.put(id, InetSocketAddress.createUnresolved(a.host(), a.port())));
        ZkServer.Options options = new ZkServer.Options(new InetSocketAddress(zk.listen().host(), zk.listen().port()),
                members, config.clusterId(), zk.maxClientCnxns(), (int) zk.minSessionTimeout().toMillis(),
                (int) zk.maxSessionTimeout().toMillis());
        return new ZkServer(machine.tree(), new RuntimeConsensus(runtime), options).start();
    }
}
