package dev.ballot.operator.desired;

import dev.ballot.operator.api.ConsensusProtocol;
import dev.ballot.operator.api.EndpointsStatus;
import java.util.List;
import java.util.stream.Collectors;

/** The connection strings of a cluster, for status.endpoints: what its Services and pods serve, by protocol. */
public final class ClientEndpoints {
    private ClientEndpoints() {
    }

    /** {@code members}: every member pod the configuration lists (observers and learners serve clients too). */
    public static EndpointsStatus of(String cluster, String namespace, ConsensusProtocol protocol,
                                     List<MemberEndpoint> members) {
        String service = Names.clientService(cluster) + "." + namespace + ".svc";
        EndpointsStatus e = new EndpointsStatus();
        if (protocol == ConsensusProtocol.Zab) {
            // ZooKeeper clients take the member list and pick one themselves (and move their session on failure).
            e.zookeeper = members.stream().map(m -> m.host() + ":" + NodeConfigFile.ZOOKEEPER_PORT)
                    .collect(Collectors.joining(","));
        } else {
            e.etcd = "http://" + service + ":" + NodeConfigFile.ETCD_PORT;
        }
        e.http = "http://" + service + ":" + NodeConfigFile.HTTP_PORT;
        return e;
    }
}
