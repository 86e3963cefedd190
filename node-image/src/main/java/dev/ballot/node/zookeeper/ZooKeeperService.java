package dev.ballot.node.zookeeper;

import dev.ballot.node.config.HostPort;
import dev.ballot.node.config.NodeConfig;
import dev.ballot.node.config.ZooKeeperClientConfig;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;
import dev.ballot.node.tls.NodeTls;
import dev.ballot.nodeapi.tls.CertIdentity;
import dev.ballot.nodeapi.tls.CipherPreference;
import dev.ballot.zookeeper.TxnResult;
import dev.ballot.zookeeper.ZkServer;
import dev.ballot.zookeeper.ZkTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the ZooKeeper client protocol of a ZAB member on its configured client port(s). Other members' addresses stay
 * unresolved until a follower dials its leader (pod DNS names may not resolve yet at start). With TLS, followers link
 * to their leader's secure client port with their member certificate, and the leader accepts links only from members.
 */
public final class ZooKeeperService {
    private ZooKeeperService() {
    }

    /** @param tls null when the node has no TLS material (then the config has no secure port) */
    public static ZkServer start(NodeConfig config, ZooKeeperMachine machine, NodeRuntime<ZooKeeperMachine, TxnResult> runtime,
                                 NodeTls tls, MemberDirectory directory) throws IOException {
        ZooKeeperClientConfig zk = config.zookeeper();
        Map<Long, InetSocketAddress> links = new LinkedHashMap<>();
        (zk.secureListen() != null ? zk.secureMemberAddresses() : zk.memberAddresses())
                .forEach((id, a) -> links.put(id, InetSocketAddress.createUnresolved(a.host(), a.port())));
        ZkServer.Options options = new ZkServer.Options(address(zk.listen()), address(zk.secureListen()), links,
                config.clusterId(), zk.maxClientCnxns(), (int) zk.minSessionTimeout().toMillis(),
                (int) zk.maxSessionTimeout().toMillis());
        ZkTls zkTls = tls == null ? null : new ZkTls(tls.files().context(), tls.clientCertificateRequired(),
                cert -> tls.isMember(directory, cert) ? null
                        : "its certificate (" + CertIdentity.describe(cert) + ") names no member of cluster " + config.clusterId(),
                // ChaCha20-Poly1305 first, as on the HTTPS API and peer links: AES-GCM is plain Java on a C1-only JVM
                CipherPreference::apply);
        return new ZkServer(machine.tree(), new RuntimeConsensus(runtime), options, zkTls).start();
    }

    private static InetSocketAddress address(HostPort a) {
        return a == null ? null : new InetSocketAddress(a.host(), a.port());
    }
}
