package dev.ballot.zookeeper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Three ZooKeeper servers on 127.0.0.1 over one {@link InProcessLog}: the full client protocol, no engine. */
final class InProcessCluster implements AutoCloseable {
    final InProcessLog log = new InProcessLog();
    final Map<Long, InetSocketAddress> addresses = new LinkedHashMap<>();
    final Map<Long, ZkServer> servers = new LinkedHashMap<>();
    final Map<Long, DataTree> trees = new LinkedHashMap<>();

    InProcessCluster(int size, int minSessionMs, int maxSessionMs) throws IOException {
        for (long id = 1; id <= size; id++) {
            try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                addresses.put(id, new InetSocketAddress("127.0.0.1", probe.getLocalPort()));
            }
        }
        for (long id = 1; id <= size; id++) {
            DataTree tree = log.replica();
            trees.put(id, tree);
            servers.put(id, new ZkServer(tree, log.member(id, tree), new ZkServer.Options(addresses.get(id), addresses,
                    "test", 60, minSessionMs, maxSessionMs)).start());
        }
    }

    String connectString() {
        return addresses.values().stream().map(a -> "127.0.0.1:" + a.getPort()).collect(Collectors.joining(","));
    }

    String connectString(long id) {
        return "127.0.0.1:" + addresses.get(id).getPort();
    }

    void stop(long id) {
        servers.get(id).close();
    }

    List<Long> ids() {
        return new ArrayList<>(addresses.keySet());
    }

    @Override
    public void close() {
        servers.values().forEach(ZkServer::close);
    }
}
