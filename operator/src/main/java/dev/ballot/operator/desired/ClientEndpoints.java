package dev.ballot.operator.desired;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.EndpointsStatus;
import java.util.List;
import java.util.stream.Collectors;

/** The connection strings of a cluster, for status.endpoints: what its Services and pods serve, by protocol. */
public final class ClientEndpoints {
    private ClientEndpoints() {
    }

    /** A cluster without TLS. */
    public static EndpointsStatus of(String cluster, String namespace, ConsensusProtocol protocol,
                                     List<MemberEndpoint> members) {
        return of(cluster, namespace, protocol, members, false);
    }

    /**
     * {@code members}: every member pod the configuration lists (observers and learners serve clients too). With
     * {@code tls}: https URLs, and the ZooKeeper connect string names the secure client port (the only one served).
     */
    public static EndpointsStatus of(String cluster, String namespace, ConsensusProtocol protocol,
                                     List<MemberEndpoint> members, boolean tls) {
        String service = Names.clientService(cluster) + "." + namespace + ".svc";
        String scheme = tls ? "https://" : "http://";
        EndpointsStatus e = new EndpointsStatus();
        if (protocol == ConsensusProtocol.Zab) {
            // ZooKeeper clients take the member list and pick one themselves (and move their session on failure).
            int port = tls ? NodeConfigFile.ZOOKEEPER_SECURE_PORT : NodeConfigFile.ZOOKEEPER_PORT;
            e.zookeeper = members.stream().map(m -> m.host() + ":" + port).collect(Collectors.joining(","));
        } else {
            e.etcd = scheme + service + ":" + NodeConfigFile.ETCD_PORT;
        }
        e.http = scheme + service + ":" + NodeConfigFile.HTTP_PORT;
        return e;
    }
}
