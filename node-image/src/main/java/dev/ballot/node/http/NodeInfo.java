package dev.ballot.node.http;

import dev.ballot.engine.Protocol;
import dev.ballot.engine.kv.KvResult;
import dev.ballot.node.server.KvMachine;
import dev.ballot.node.server.MemberDirectory;
import dev.ballot.node.server.NodeRuntime;

import java.time.Duration;

/**
 * What every handler needs: the runtime, who we are, and how members are named.
 *
 * @param requestTimeout how long a write, read or admin call waits before answering 504
 */
public record NodeInfo(NodeRuntime<?, ?> runtime, MemberDirectory directory, String clusterId, Protocol protocol,
                       String version, Duration requestTimeout) {
    public String selfName() {
        return directory.name(runtime.id());
    }

    /**
     * The runtime as the key-value API needs it; a 404 when this node's state machine is another client
     * protocol's (the etcd v3 API's store), since one log feeds one state machine.
     */
    @SuppressWarnings("unchecked") // checked: the machine's class is KvMachine, whose result type is KvResult
    public NodeRuntime<KvMachine, KvResult> kvRuntime() {
        if (runtime.machineType() != KvMachine.class) {
            throw new ApiException(404, "not_found", "path", "this node's log feeds the "
                    + runtime.machineType().getSimpleName() + " state machine, not the HTTP key-value store;"
                    + " use that protocol's client API (e.g. etcd v3 gRPC)");
        }
        return (NodeRuntime<KvMachine, KvResult>) runtime;
    }
}
