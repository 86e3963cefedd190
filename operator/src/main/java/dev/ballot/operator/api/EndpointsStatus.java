package dev.ballot.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The connection strings an application gives its client (docs/operator.md "Connecting applications"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EndpointsStatus {
    @JsonPropertyDescription("Raft clusters: the etcd v3 endpoint for etcdctl --endpoints, jetcd, kube-apiserver"
            + " --etcd-servers (the client Service, port etcd-client 2379).")
    public String etcd;

    @JsonPropertyDescription("ZAB clusters: the ZooKeeper connect string (every member, port zookeeper 2181) for"
            + " the ZooKeeper client, zkCli and Curator.")
    public String zookeeper;

    @JsonPropertyDescription("Ballot's HTTP API (status, events, admin, health, metrics, key-value) through the"
            + " client Service, port http 8080.")
    public String http;
}
